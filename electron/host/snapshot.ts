/**
 * `passthru snapshot DIR`: captures exactly what the probes read from a host into a directory
 * that `--root DIR` (and File → Open snapshot…) scans to the same result. This is how users
 * attach their host to a bug report, and how the lab turns real kernels into test fixtures.
 * The snapshot layout is described in snapshot-format.ts.
 */
import { existsSync, statSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { resolve } from 'node:path';
import type { HostScan } from '#shared/model';
import { PassthruError } from '#shared/errors';
import { RootFs } from './fs/root-fs';
import { RecordingFs } from './fs/recording-fs';
import { scanHost, scanHostWithIp, type ScanOptions } from './scan';
import { reduceForSnapshot } from './snapshot-reducers';
import { checkDestination, openDestination } from './snapshot-destination';
import { PASSTHRU_VERSION, SNAPSHOT_FORMAT, SNAPSHOT_IP_STATE_PATH, SNAPSHOT_MANIFEST_PATH, readSnapshotManifest, type SnapshotManifest } from './snapshot-format';

export interface CaptureOptions extends Omit<ScanOptions, 'ipCapture'> {
  /** Capture time (tests pin it); default now. */
  now?: Date;
}

export interface SnapshotResult {
  dir: string;
  manifest: SnapshotManifest;
  /** The scan of the source, as recorded. */
  scan: HostScan;
  /**
   * Top-level scan fields that read back differently from the snapshot (empty when the
   * snapshot is faithful). Non-empty means a probe read something the recorder missed.
   */
  mismatches: string[];
}

/**
 * Scans `sourceRoot` through a recorder and writes what was read under `destDir`, plus the
 * iproute2 capture and a manifest. Refuses a destination that exists and is not an empty
 * directory of the caller's, or lies on /proc, /sys or /dev (snapshot-destination.ts): a
 * snapshot never overwrites anything, and no write follows a link out of it. A special file
 * or a huge one in the source is refused while scanning (RootFs), before anything is written.
 */
export async function captureSnapshot(sourceRoot: string, destDir: string, options: CaptureOptions = {}): Promise<SnapshotResult> {
  const source = resolve(sourceRoot);
  const dest = resolve(destDir);
  if (!existsSync(source) || !statSync(source).isDirectory()) {
    throw new PassthruError('BAD_INPUT', `The source root ${source} is not a directory.`, 'Give an existing host root or snapshot directory.');
  }
  checkDestination(dest); // fail before the scan when we would refuse anyway

  const recorder = new RecordingFs(new RootFs(source));
  const { scan, ip } = await scanHostWithIp(recorder, { run: options.run, signal: options.signal, processes: false });
  const sourceManifest = readSnapshotManifest(recorder);
  const hostname = sourceManifest?.hostname ?? recorder.readText('/proc/sys/kernel/hostname')?.trim() ?? null;
  options.signal?.throwIfAborted();

  const manifest: SnapshotManifest = {
    format: SNAPSHOT_FORMAT,
    formatVersion: 1,
    passthruVersion: PASSTHRU_VERSION,
    capturedAt: (options.now ?? new Date()).toISOString(),
    hostname: hostname || null,
    kernel: scan.host.kernel,
    kvmAccessible: scan.host.kvmAccessible,
    ipState: ip.capture ? 'iproute2' : ip.state.source === 'none' ? 'none' : 'procfs',
    fileCount: recorder.recordedFiles().length,
  };

  const target = openDestination(dest); // checked again: nothing may have appeared during the scan
  try {
    recorder.writeTo(target.files, (path, content) => reduceForSnapshot(path, content, scan));
    // These replace the copies recorded from a source that is itself a snapshot.
    if (ip.capture) target.files.writeFile(SNAPSHOT_IP_STATE_PATH, `${JSON.stringify(ip.capture, null, 1)}\n`);
    target.files.writeFile(SNAPSHOT_MANIFEST_PATH, `${JSON.stringify(manifest, null, 2)}\n`);
  } catch (err) {
    target.cleanUp();
    if (err instanceof PassthruError) throw err;
    throw new PassthruError(
      'FAILED',
      `Writing the snapshot to ${dest} failed: ${(err as Error).message}.`,
      'Check that the destination is writable and has free space, then try again.',
      (err as Error).stack ?? null,
    );
  }

  const readBack = await scanHost(new RootFs(dest), { signal: options.signal });
  return { dir: dest, manifest, scan, mismatches: compareScans(scan, readBack) };
}

/**
 * Names of the top-level parts of two scans that differ, ignoring `source` (a snapshot and
 * its origin differ there by design).
 */
export function compareScans(a: HostScan, b: HostScan): string[] {
  const keys = ['host', 'devices', 'groups', 'interfaces', 'readiness'] as const;
  return keys.filter((k) => !isDeepStrictEqual(a[k], b[k]));
}
