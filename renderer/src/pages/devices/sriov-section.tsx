/**
 * The SR-IOV part of the detail panel. For a PF: total / enabled VFs, autoprobe, "Set number
 * of VFs…" and the VF table (address, MAC, VLAN, trust, spoof check, link state, driver, IOMMU
 * group, the process holding it — a running VM) with a "Configure…" button per VF. A plain table: 256 VFs (the contract's
 * maximum) is ~3,000 cells, well within what React renders without virtualization. For a VF:
 * its PF and "Configure…".
 */
import { memo, useId } from 'react';
import type { PciDevice } from '#shared/model';
import { Field } from '../../components/page';
import { formatBool, NONE } from '../../lib/format';
import type { ScanIndex } from '../../lib/scan-index';
import { formatOnOff, formatOpenBy, formatVlan, vfIndexOf, vfRows } from '../../lib/vf-rows';
import { wizardStore } from '../../stores/wizard-store';
import { DeviceLink } from './device-link';

const VfTable = memo(function VfTable({ pf, index, onSelect }: { pf: PciDevice; index: ScanIndex; onSelect: (a: string) => void }) {
  const rows = vfRows(pf, index);
  const caption = `Virtual functions of ${pf.address}`;
  return (
    <div className="table-scroll vf-table" role="region" aria-label={caption} tabIndex={0}>
      <table className="table table--compact">
        <caption className="sr-only">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">VF</th>
            <th scope="col">Address</th>
            <th scope="col">MAC</th>
            <th scope="col">VLAN</th>
            <th scope="col">Trust</th>
            <th scope="col">Spoof check</th>
            <th scope="col">Link state</th>
            <th scope="col">Driver</th>
            <th scope="col">IOMMU group</th>
            <th scope="col">In use by</th>
            <th scope="col">
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.index} data-vf={r.address ?? undefined}>
              <th scope="row">{r.index}</th>
              <td>{r.address ? <DeviceLink address={r.address} onSelect={onSelect} /> : NONE}</td>
              <td className="mono">{r.settings?.mac ?? NONE}</td>
              <td>{formatVlan(r.settings)}</td>
              <td>{formatOnOff(r.settings?.trust)}</td>
              <td>{formatOnOff(r.settings?.spoofCheck)}</td>
              <td>{r.settings?.linkState ?? NONE}</td>
              <td>{r.device ? (r.device.driver ?? 'none') : r.address ? 'not in scan' : NONE}</td>
              <td>{r.device?.iommuGroup ?? NONE}</td>
              <td>{formatOpenBy(r.openBy)}</td>
              <td>
                <button
                  type="button"
                  className="button button--small"
                  aria-label={`Configure… (VF ${r.index}${r.address ? `, ${r.address}` : ''})`}
                  onClick={() => wizardStore.getState().openVfConfig(pf.address, r.index)}
                >
                  Configure…
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
});

export function SriovSection({ device: d, index, onSelect }: { device: PciDevice; index: ScanIndex; onSelect: (a: string) => void }) {
  const headingId = useId();
  if (d.sriov) {
    const sriov = d.sriov;
    return (
      <section className="sriov-section" aria-labelledby={headingId}>
        <h3 id={headingId}>SR-IOV</h3>
        <dl className="fields">
          <Field label="Total VFs">{sriov.totalVfs}</Field>
          <Field label="VFs enabled">{sriov.numVfs}</Field>
          <Field label="Autoprobe new VFs">{formatBool(sriov.driversAutoprobe, 'Yes (new VFs get a host driver)', 'No (new VFs stay without a driver)')}</Field>
        </dl>
        <p>
          <button type="button" className="button" onClick={() => wizardStore.getState().openSriov(d.address, sriov)}>
            Set number of VFs…
          </button>
        </p>
        {sriov.vfs.length > 0 || (sriov.vfSettings?.length ?? 0) > 0 ? <VfTable pf={d} index={index} onSelect={onSelect} /> : <p className="muted">No VFs enabled.</p>}
      </section>
    );
  }
  if (d.physfn) {
    const n = vfIndexOf(d, index);
    return (
      <section className="sriov-section" aria-labelledby={headingId}>
        <h3 id={headingId}>SR-IOV</h3>
        <p>
          Virtual function{n === null ? '' : ` ${n}`} of <DeviceLink address={d.physfn} onSelect={onSelect} />.
        </p>
        {n !== null && (
          <p>
            <button type="button" className="button" onClick={() => wizardStore.getState().openVfConfig(d.physfn!, n)}>
              Configure this VF…
            </button>
          </p>
        )}
      </section>
    );
  }
  return (
    <section className="sriov-section" aria-labelledby={headingId}>
      <h3 id={headingId}>SR-IOV</h3>
      <p className="muted">Not SR-IOV capable.</p>
    </section>
  );
}
