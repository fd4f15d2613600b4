/**
 * "Assign to VFIO…" / "Give back…" for one device, the same everywhere it appears (detail
 * panel, Devices table, topology). Where several devices are listed, `withAddress` puts the
 * address in the accessible name (after the visible words, so speech input still matches).
 */
import type { PciDevice } from '../../../shared/model';
import { wizardStore } from '../stores/wizard-store';

export function DeviceActions({ device, withAddress = false, compact = false }: { device: PciDevice; withAddress?: boolean; compact?: boolean }) {
  const onVfio = device.driver === 'vfio-pci';
  const name = (words: string) => (withAddress ? `${words} (${device.address})` : undefined);
  const cls = compact ? 'button button--small' : 'button';
  return (
    <span className="device-actions">
      {onVfio ? (
        <button type="button" className={cls} aria-label={name('Give back…')} onClick={() => wizardStore.getState().openRelease(device.address)}>
          Give back…
        </button>
      ) : (
        <button
          type="button"
          className={cls}
          aria-label={name('Assign to VFIO…')}
          onClick={() => wizardStore.getState().openAssign(device.address)}
        >
          Assign to VFIO…
        </button>
      )}
    </span>
  );
}
