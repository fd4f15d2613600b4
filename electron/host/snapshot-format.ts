/**
 * The on-disk shape of a Passthru snapshot, shared by the writer (snapshot.ts), the scanner
 * (scan.ts, which reports a snapshot as its source) and the ip state reader. A snapshot is a
 * root directory: the files the probes read, at their own paths (sys/..., proc/..., usr/...),
 * plus Passthru's own files under /passthru-snapshot/ — which no real host has, so its
 * presence is what marks a root as a snapshot.
 */
import type { HostFs } from './fs/host-fs';
import packageJson from '../../package.json';

/** Passthru's own version, recorded in every snapshot. */
export const PASSTHRU_VERSION: string = packageJson.version;

export const SNAPSHOT_DIR = '/passthru-snapshot';
/** {@link SnapshotManifest} as JSON. */
export const SNAPSHOT_MANIFEST_PATH = `${SNAPSHOT_DIR}/manifest.json`;
/** The iproute2 capture (`IpCapture` in probes/ip-state.ts) as JSON; absent when `ip` was not usable. */
export const SNAPSHOT_IP_STATE_PATH = `${SNAPSHOT_DIR}/ip-state.json`;

export const SNAPSHOT_FORMAT = 'passthru-snapshot';

export interface SnapshotManifest {
  format: typeof SNAPSHOT_FORMAT;
  formatVersion: 1;
  passthruVersion: string;
  /** ISO 8601, UTC. */
  capturedAt: string;
  hostname: string | null;
  kernel: string | null;
  /** Whether the capturing user could open /dev/kvm read-write (unknowable from the files). */
  kvmAccessible: boolean | null;
  /** Where the addresses and routes came from: iproute2 JSON, procfs, or nowhere. */
  ipState: 'iproute2' | 'procfs' | 'none';
  /** Number of files recorded (for a quick sanity check of an attachment). */
  fileCount: number;
}

/** The manifest of the snapshot at this root, or null when the root is not a snapshot. */
export function readSnapshotManifest(fs: HostFs): SnapshotManifest | null {
  const text = fs.readText(SNAPSHOT_MANIFEST_PATH);
  if (text === null) return null;
  try {
    const data = JSON.parse(text) as Partial<SnapshotManifest> | null;
    if (!data || data.format !== SNAPSHOT_FORMAT) return null;
    return {
      format: SNAPSHOT_FORMAT,
      formatVersion: 1,
      passthruVersion: typeof data.passthruVersion === 'string' ? data.passthruVersion : 'unknown',
      capturedAt: typeof data.capturedAt === 'string' ? data.capturedAt : '',
      hostname: typeof data.hostname === 'string' ? data.hostname : null,
      kernel: typeof data.kernel === 'string' ? data.kernel : null,
      kvmAccessible: typeof data.kvmAccessible === 'boolean' ? data.kvmAccessible : null,
      ipState: data.ipState === 'iproute2' || data.ipState === 'procfs' ? data.ipState : 'none',
      fileCount: typeof data.fileCount === 'number' ? data.fileCount : 0,
    };
  } catch {
    return null;
  }
}
