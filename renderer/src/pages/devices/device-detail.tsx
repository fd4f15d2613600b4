/**
 * The detail panel for one device. It leads with what a NIC user came for: the passthrough
 * verdict of the device's IOMMU group with its reasons, then the device's network interfaces
 * (the management one marked), then the actions; after them every field the scan has, the
 * group's members with the kernel's viability, and the SR-IOV relations. Links inside jump to
 * related devices. The page closes the panel when the scan no longer has the device.
 */
import { useEffect, useId, useRef, type KeyboardEvent } from 'react';
import type { HostScan, NetInterface, PciDevice } from '#shared/model';
import { DeviceActions } from '../../components/device-actions';
import { CloseIcon } from '../../components/icons';
import { Field } from '../../components/page';
import { ManagementBadge, PassthroughBadge, ViabilityBadge } from '../../components/status';
import { isManagementDevice } from '../../lib/device-columns';
import { NO_GROUP_WORDS } from '../../lib/device-verdict';
import { groupOfDevice, inUseReason } from '../../lib/group-verdict';
import { classCategory, classTitle, deviceTitle, formatIp, formatResetMethods, formatSpeed, NONE, vendorDeviceIds } from '../../lib/format';
import { indexScan, interfacesOf, type ScanIndex } from '../../lib/scan-index';
import { DeviceLink } from './device-link';
import { SriovSection } from './sriov-section';

/** The group's verdict and its reasons, first thing in the panel. */
function VerdictLead({ d, index }: { d: PciDevice; index: ScanIndex }) {
  const headingId = useId();
  const group = d.iommuGroup === null ? undefined : index.groupById.get(d.iommuGroup);
  const others = group ? group.devices.length - 1 : 0;
  return (
    <section className="detail__lead" aria-labelledby={headingId} data-part="verdict">
      <h3 id={headingId}>Passthrough</h3>
      {group ? (
        <>
          <p className="detail__verdict">
            <PassthroughBadge state={group.passthrough.state} />
            <span className="muted">
              IOMMU group {group.id}
              {others > 0 ? ` · with ${others === 1 ? '1 other device' : `${others} other devices`}` : ' · alone in its group'}
            </span>
          </p>
          <ul className="detail__reasons" aria-label="Why">
            {group.passthrough.reasons.map((r) => (
              <li key={r}>{r}</li>
            ))}
          </ul>
        </>
      ) : (
        <>
          <p className="detail__verdict">
            <strong>{NO_GROUP_WORDS}</strong>
          </p>
          <p>{d.iommuGroup === null ? 'The IOMMU is off or does not cover this device, so it cannot be passed through.' : `Group ${d.iommuGroup} is not in this scan.`}</p>
        </>
      )}
    </section>
  );
}

/** One interface of the device, with the management badge when it carries the host's traffic. */
function InterfaceItem({ i }: { i: NetInterface }) {
  return (
    <li>
      <strong className="mono">{i.name}</strong>{' '}
      <span className="muted">
        {i.mac ?? 'no MAC'} · {i.operstate ?? 'unknown state'} · {formatSpeed(i.speedMbps)}
      </span>
      {i.addresses.length > 0 && <div className="mono small">{i.addresses.map(formatIp).join(', ')}</div>}
      {i.master && <div className="small">Port of {i.master}</div>}
      {i.management && <ManagementBadge long />}
      {i.inUse && !i.management && <span className="badge badge--warn">In use by the host ({inUseReason(i)})</span>}
    </li>
  );
}

/** The device's network interfaces, second in the panel (for network devices and any the host manages through). */
function InterfacesLead({ d, index }: { d: PciDevice; index: ScanIndex }) {
  const headingId = useId();
  const ifaces = interfacesOf(index, d);
  const management = isManagementDevice(d, index);
  if (ifaces.length === 0 && !management && classCategory(d.classId) !== 'network') return null;
  // The host's own word for why it needs this device, when no interface listed here says so.
  const need = d.hostNeeds.find((n) => n.kind === 'management-nic');
  return (
    <section className="detail__lead" aria-labelledby={headingId} data-part="interfaces">
      <h3 id={headingId}>Network interfaces</h3>
      {ifaces.length === 0 ? (
        <p className="muted">None (no driver that makes one is bound).</p>
      ) : (
        <ul className="iface-list">
          {ifaces.map((i) => (
            <InterfaceItem key={i.name} i={i} />
          ))}
        </ul>
      )}
      {management && !ifaces.some((i) => i.management) && <ManagementBadge long reason={need?.detail} />}
    </section>
  );
}

export function DeviceDetail({
  scan,
  address,
  onSelect,
  onClose,
  focusOnOpen,
}: {
  scan: HostScan;
  address: string;
  onSelect: (address: string) => void;
  onClose: () => void;
  focusOnOpen: boolean;
}) {
  const headingRef = useRef<HTMLHeadingElement>(null);
  const index = indexScan(scan);
  const d: PciDevice | undefined = index.deviceByAddress.get(address);

  useEffect(() => {
    if (focusOnOpen) headingRef.current?.focus();
  }, [address, focusOnOpen]);

  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === 'Escape') {
      e.stopPropagation();
      onClose();
    }
  };

  const close = (
    <button type="button" className="icon-button" onClick={onClose} aria-label="Close details">
      <CloseIcon />
    </button>
  );

  if (!d) {
    return (
      <section className="detail" aria-label="Device details" onKeyDown={onKeyDown}>
        <div className="detail__head">
          <h2 ref={headingRef} tabIndex={-1}>
            {address}
          </h2>
          {close}
        </div>
        <p>This device is not present in the current scan (it may have been removed).</p>
      </section>
    );
  }

  const group = groupOfDevice(d, index);
  const blockerOf = new Map(group?.blockers.map((b) => [b.address, b.driver]) ?? []);

  return (
    <section className={`detail ${d.sriov?.numVfs ? 'detail--wide' : ''}`} aria-label="Device details" onKeyDown={onKeyDown}>
      <div className="detail__head">
        <div>
          <p className="detail__address mono">{d.address}</p>
          <h2 ref={headingRef} tabIndex={-1}>
            {deviceTitle(d)}
          </h2>
        </div>
        {close}
      </div>
      <div className="detail__body">
        <VerdictLead d={d} index={index} />
        <InterfacesLead d={d} index={index} />
        <p className="detail__actions">
          <DeviceActions device={d} />
        </p>
        <h3>Identity</h3>
        <dl className="fields">
          <Field label="Vendor">
            {d.vendorName ?? 'Unknown'} <span className="muted mono">{d.vendorId}</span>
          </Field>
          <Field label="Device">
            {d.deviceName ?? 'Unknown'} <span className="muted mono">{d.deviceId}</span>
          </Field>
          <Field label="IDs">
            <span className="mono">{vendorDeviceIds(d)}</span>
          </Field>
          <Field label="Subsystem">
            {d.subsystemVendorId ? (
              <>
                {d.subsystemName ?? 'Unknown'}{' '}
                <span className="muted mono">
                  {d.subsystemVendorId}:{d.subsystemDeviceId}
                </span>
              </>
            ) : null}
          </Field>
          <Field label="Class">
            {classTitle(d)} <span className="muted mono">{d.classId}</span>
          </Field>
          <Field label="Revision">{d.revision}</Field>
          <Field label="Bridge">{d.isBridge ? 'Yes' : 'No'}</Field>
          <Field label="Boot display">{d.bootVga ? 'Yes (the firmware console uses it)' : 'No'}</Field>
        </dl>

        <h3>Driver</h3>
        <dl className="fields">
          <Field label="Driver in use">{d.driver ?? 'None'}</Field>
          <Field label="driver_override">{d.driverOverride ?? NONE}</Field>
          <Field label="Kernel modules">{d.modules.length ? d.modules.join(', ') : 'None found'}</Field>
          <Field label="Reset methods">{formatResetMethods(d.resetMethods)}</Field>
        </dl>

        <h3>Placement</h3>
        <dl className="fields">
          <Field label="Parent bridge">{d.parent ? <DeviceLink address={d.parent} onSelect={onSelect} /> : 'None (on the root bus)'}</Field>
          <Field label="Root bus">{d.rootBus}</Field>
          <Field label="NUMA node">{d.numaNode}</Field>
        </dl>

        <h3>{d.iommuGroup === null ? 'IOMMU group' : `IOMMU group ${d.iommuGroup}`}</h3>
        {!group ? (
          <p>Not in an IOMMU group: the IOMMU is off, so this device cannot be passed through.</p>
        ) : (
          <>
            <dl className="fields">
              <Field label="Kernel (VFIO)">
                <ViabilityBadge viable={group.viable} />{' '}
                <span className="muted small">
                  {group.viable ? 'VFIO could open the group as it is.' : `Blocked by ${group.blockers.map((b) => `${b.address} (${b.driver})`).join(', ')}.`}
                </span>
              </Field>
            </dl>
            {group.hazards.length > 0 && (
              <ul className="hazards">
                {group.hazards.map((h) => (
                  <li key={h}>{h}</li>
                ))}
              </ul>
            )}
            <ul className="member-list" aria-label={`Members of IOMMU group ${group.id}`}>
              {group.members.map((m) => (
                <li key={m.address}>
                  {m.address === d.address ? <span className="mono">{m.address}</span> : <DeviceLink address={m.address} onSelect={onSelect} />} {deviceTitle(m)}{' '}
                  <span className="muted">
                    · {m.driver ?? 'no driver'}
                    {m.isBridge ? ' · bridge' : ''}
                  </span>
                  {m.address === d.address && <span className="muted"> (this device)</span>}
                  {blockerOf.has(m.address) && <span className="muted"> · keeps the kernel from opening it</span>}
                </li>
              ))}
            </ul>
          </>
        )}

        <SriovSection device={d} index={index} onSelect={onSelect} />
      </div>
    </section>
  );
}
