/**
 * "Assign to VFIO…" / "Give back…" for one device, the same everywhere it appears (detail
 * panel, Devices table, topology). An action the host could only refuse is shown disabled,
 * with the reason next to it (and as its description), before the user opens a wizard
 * (lib/device-availability.ts). Where several devices are listed, `withAddress` puts the
 * address in the accessible name (after the visible words, so speech input still matches).
 */
import { useId } from 'react';
import type { PciDevice } from '#shared/model';
import { carriesManagement, deviceAvailability } from '../lib/device-availability';
import { indexScan, type ScanIndex } from '../lib/scan-index';
import { useScanStore } from '../stores/scan-store';
import { wizardStore } from '../stores/wizard-store';

/** Opens the device's action, when there is one to open (the Devices table's A key uses this too). */
export function openDeviceAction(device: PciDevice, index: ScanIndex): string | null {
  const a = deviceAvailability(device, index);
  if (a.refusedBecause) return a.refusedBecause;
  if (a.action === 'release') wizardStore.getState().openRelease(device.address);
  else wizardStore.getState().openAssign(device.address);
  return null;
}

export function DeviceActions({ device, withAddress = false, compact = false }: { device: PciDevice; withAddress?: boolean; compact?: boolean }) {
  const whyId = useId();
  const scan = useScanStore((s) => s.scan);
  if (!scan) return null;
  const index = indexScan(scan);
  const a = deviceAvailability(device, index);
  const words = a.action === 'release' ? 'Give back…' : 'Assign to VFIO…';
  const cls = compact ? 'button button--small' : 'button';
  // Available but at a cost the user must hear before clicking: the host's own network.
  const cost =
    !a.refusedBecause && a.action === 'assign' && carriesManagement(device, index)
      ? "It carries this host's network: the host loses that network, so the wizard asks you to confirm first."
      : null;
  const note = a.refusedBecause ?? cost;
  return (
    <span className="device-actions">
      <button
        type="button"
        className={cls}
        aria-label={withAddress ? `${words} (${device.address})` : undefined}
        disabled={a.refusedBecause !== null}
        aria-describedby={note ? whyId : undefined}
        onClick={() => void openDeviceAction(device, index)}
      >
        {words}
      </button>
      {note && (
        <span id={whyId} className={`device-actions__why small ${cost ? 'text-warn' : 'muted'}`}>
          {note}
        </span>
      )}
    </span>
  );
}
