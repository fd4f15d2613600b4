/**
 * The services behind the window, built in one place for every front end that shows it
 * (Electron's main process and `passthru serve`): the source shown and its scans, the
 * changes against that source (rehearsals on a snapshot), and the VMs, whose changes (their
 * taps) are always this machine's. The front ends differ only in the options they pass.
 */
import type { ChangeServiceOptions } from '../changes/change-service';
import { ChangeService } from '../changes/change-service';
import { ChangesForSource } from './changes-for-source';
import { HostService, type HostServiceOptions } from './host-service';
import { VmService, type VmServiceOptions } from './vm-service';

export interface AppServicesOptions extends HostServiceOptions {
  /** How changes are applied and journaled (the helper, the state directory, who gets /dev/vfio). */
  changes?: Omit<ChangeServiceOptions, 'root'>;
  /** Where VM profiles live, and how they run. */
  vms?: Omit<VmServiceOptions, 'changes' | 'shownRoot'>;
}

export interface AppServices {
  service: HostService;
  changes: ChangesForSource;
  vms: VmService;
}

export function createAppServices(options: AppServicesOptions = {}): AppServices {
  const service = new HostService({ root: options.root, pollIntervalMs: options.pollIntervalMs, watchEvents: options.watchEvents });
  const changes = new ChangesForSource(() => service.currentRoot, options.changes);
  // A VM runs on this machine whatever the window shows: its taps are changes of '/'.
  const vms = new VmService({ ...options.vms, changes: new ChangeService({ ...options.changes, root: '/' }), shownRoot: () => service.currentRoot });
  return { service, changes, vms };
}
