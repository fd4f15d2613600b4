/** VM facts in words, for the VMs page and the New-VM wizard. */
import type { VmNic, VmRunState } from '#shared/vm';
import { nicMac } from '#shared/vm-names';

export function describeNic(vmName: string, nic: VmNic, index: number): string {
  const mac = nicMac(vmName, nic, index);
  if (nic.kind === 'passthrough') return `${nic.address} passed through (vfio-pci)`;
  if (nic.kind === 'bridge') return `virtio on bridge ${nic.bridge} (MAC ${mac})`;
  return `virtio with NAT (MAC ${mac})`;
}

/** qemu's run states as a user reads them. */
export function stateLabel(state: VmRunState): string {
  const words: Record<string, string> = {
    running: 'Running',
    paused: 'Paused',
    prelaunch: 'Paused before boot',
    shutdown: 'Shut down (qemu still open)',
    stopped: 'Stopped',
    inmigrate: 'Waiting for migration',
    'internal-error': 'Stopped by an internal error',
    'io-error': 'Paused: disk I/O error',
    'guest-panicked': 'Guest panicked',
  };
  return words[state] ?? state;
}

/** 3725 → "1 h 2 min"; 42.5 → "42 s". */
export function formatSeconds(s: number | null): string {
  if (s === null) return '—';
  if (s < 60) return `${Math.round(s)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${Math.round(s % 60)} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}
