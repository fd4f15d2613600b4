/**
 * The host service the GUI talks to: which source is shown (live host or a snapshot), scans
 * of it, and "changed" notifications. Plain Node (never imports electron) so Electron main,
 * `passthru serve` and the CLI can all run it.
 */
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { EventEmitter } from 'node:events';
import type { HostScan, ScanSource } from '#shared/model';
import { PassthruError } from '#shared/errors';
import type { IommuBootStatus } from '#shared/iommu';
import { RootFs } from '../fs/root-fs';
import { ReferenceFileCache } from '../fs/reference-file-cache';
import { isReferenceFile } from '../probes/reference-files';
import { detectBootSetup } from '../iommu/detect';
import { iommuBootStatus } from '../iommu/status';
import { scanHost, scanSource } from '../scan';
import { ChangeWatcher, type ChangeWatcherOptions, type WatchMode } from './change-watcher';

export interface HostServiceOptions {
  /** Root to show at start: '/' for the live host, or a snapshot directory. */
  root?: string;
  /**
   * How often the shown root is polled for changes (ms) when the kernel's events cannot be
   * used: always for a snapshot or test tree, on the live host only if a monitor cannot run.
   * 0 never polls.
   */
  pollIntervalMs?: number;
  /** When the kernel's events are used rather than polling (default: on the live host); see ChangeWatcherOptions. */
  watchEvents?: ChangeWatcherOptions['events'];
}

export type HostChangeReason = 'devices' | 'source';

export class HostService {
  private root: string;
  private readonly events = new EventEmitter();
  private readonly watcher: ChangeWatcher;
  /** pci.ids and modules.alias, read again only when they change (most of a refresh's reading otherwise). */
  private readonly references = new ReferenceFileCache(isReferenceFile);
  /** How often the shown root is polled when it is polled at all (ms). */
  readonly pollIntervalMs: number;

  constructor(options: HostServiceOptions = {}) {
    this.root = options.root ? checkSnapshotRoot(options.root) : '/';
    this.pollIntervalMs = options.pollIntervalMs ?? 2000;
    this.watcher = new ChangeWatcher(
      {
        pollIntervalMs: this.pollIntervalMs,
        events: options.watchEvents,
        // A fallback to polling is news for the header, and whatever the lost monitor would
        // have reported since is caught by scanning again.
        onModeChange: () => this.emitChanged('devices'),
      },
      () => this.emitChanged('devices'),
    );
    this.restartWatcher();
  }

  /** The root being shown: '/' for the live host, else a snapshot or test tree (read-only). */
  get currentRoot(): string {
    return this.root;
  }

  /** How changes of the shown root are noticed now: the kernel's events, polling, or not at all. */
  get watchMode(): WatchMode {
    return this.watcher.mode;
  }

  /** Why the kernel's events are not used although they were wanted, when they are not. */
  get watchFallback(): string | null {
    return this.watcher.fallbackReason;
  }

  async scan(): Promise<HostScan> {
    return scanHost(this.references.wrap(new RootFs(this.root)));
  }

  /** How the shown root boots and whether its boot configuration turns the IOMMU on. */
  async iommuStatus(): Promise<IommuBootStatus> {
    return iommuBootStatus(detectBootSetup(new RootFs(this.root)));
  }

  /** The shown root as a scan would label it (read from its manifest: no scan needed). */
  async source(): Promise<ScanSource> {
    return scanSource(new RootFs(this.root));
  }

  /** Switches to a snapshot directory; refuses anything that is not one. */
  async openSnapshot(path: string): Promise<ScanSource> {
    this.root = checkSnapshotRoot(path);
    this.restartWatcher();
    this.emitChanged('source');
    return this.source();
  }

  async useLive(): Promise<ScanSource> {
    this.root = '/';
    this.restartWatcher();
    this.emitChanged('source');
    return this.source();
  }

  onChanged(listener: (reason: HostChangeReason) => void): () => void {
    this.events.on('changed', listener);
    return () => this.events.off('changed', listener);
  }

  dispose(): void {
    this.watcher.stop();
    this.events.removeAllListeners();
  }

  private restartWatcher(): void {
    // Snapshots are frozen, but a test tree or a chroot given as root may change like a live
    // host, and the fingerprint is cheap, so every root is watched: the live host through the
    // kernel's events, any other root by polling.
    this.watcher.start(new RootFs(this.root));
  }

  private emitChanged(reason: HostChangeReason): void {
    this.events.emit('changed', reason);
  }
}

/**
 * A snapshot root must be an existing directory holding at least a PCI device list; the
 * real root '/' is accepted as the live host.
 */
export function checkSnapshotRoot(path: string): string {
  const root = resolve(path);
  if (root === '/') return root;
  if (!existsSync(root) || !statSync(root).isDirectory()) {
    throw new PassthruError('BAD_INPUT', `${root} is not a directory.`, 'Choose the folder that `passthru snapshot DIR` created.');
  }
  if (!existsSync(resolve(root, 'sys/bus/pci/devices'))) {
    throw new PassthruError(
      'BAD_INPUT',
      `${root} does not look like a Passthru snapshot (it has no sys/bus/pci/devices).`,
      'Choose the folder that `passthru snapshot DIR` created.',
    );
  }
  return root;
}
