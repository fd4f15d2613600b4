/**
 * Finding a VM's qemu again from its runtime directory, in any later process: the pidfile
 * names a pid, and the pid counts only if its command line is really our qemu (it carries
 * `-pidfile` with this very path) — pids are reused, so a stale pidfile must never make us
 * signal an unrelated process. Stale files are cleaned. Also the process's uptime and CPU
 * time from /proc/PID/stat.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { basename } from 'node:path';
import type { VmRuntimePaths } from './qemu-argv';

/** USER_HZ: the unit of /proc/PID/stat times; 100 on every Linux architecture qemu-x86 runs on. */
const CLOCK_TICKS = 100;

function read(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

export function processArgv(pid: number): string[] | null {
  const raw = read(`/proc/${pid}/cmdline`);
  if (raw === null || raw === '') return null;
  return raw.replace(/\0$/, '').split('\0');
}

/** The pid the pidfile names, or null. */
export function readPidFile(paths: VmRuntimePaths): number | null {
  const text = read(paths.pidFile)?.trim() ?? '';
  return /^\d+$/.test(text) ? Number(text) : null;
}

/** Whether `argv` is a qemu we started for these runtime paths. */
export function isOurQemu(argv: readonly string[] | null, paths: VmRuntimePaths): boolean {
  if (!argv?.length || !/^qemu-system-/.test(basename(argv[0] ?? ''))) return false;
  const i = argv.indexOf('-pidfile');
  return i !== -1 && argv[i + 1] === paths.pidFile;
}

/** The pid of the VM's running qemu, or null (after removing a stale pidfile and socket). */
export function findRunningQemu(paths: VmRuntimePaths): number | null {
  const pid = readPidFile(paths);
  if (pid !== null && isOurQemu(processArgv(pid), paths)) return pid;
  if (pid !== null || existsSync(paths.qmpSocket)) cleanRuntime(paths);
  return null;
}

/** Removes what a stopped qemu leaves behind (the log and serial console stay for reading). */
export function cleanRuntime(paths: VmRuntimePaths): void {
  rmSync(paths.pidFile, { force: true });
  rmSync(paths.qmpSocket, { force: true });
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  // A zombie (exited, not yet reaped) is not running.
  const stat = read(`/proc/${pid}/stat`);
  return stat === null ? false : !/\) Z /.test(stat);
}

export interface ProcessTimes {
  uptimeSeconds: number;
  cpuSeconds: number;
}

/** Uptime and user+system CPU seconds from /proc/PID/stat (fields 14, 15, 22). */
export function processTimes(pid: number): ProcessTimes | null {
  const stat = read(`/proc/${pid}/stat`);
  const uptime = Number((read('/proc/uptime') ?? '').split(' ')[0]);
  if (!stat || !Number.isFinite(uptime)) return null;
  // The command name (field 2) may hold spaces and parentheses: fields start after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  const start = Number(fields[19]);
  if (![utime, stime, start].every(Number.isFinite)) return null;
  return {
    uptimeSeconds: Math.max(0, Math.round(uptime - start / CLOCK_TICKS)),
    cpuSeconds: Math.round(((utime + stime) / CLOCK_TICKS) * 100) / 100,
  };
}

/** PCI addresses given with `-device vfio-pci,host=…` in a qemu argv. */
export function passthroughHosts(argv: readonly string[]): string[] {
  const out: string[] = [];
  argv.forEach((a, i) => {
    if (argv[i - 1] !== '-device' || !a.startsWith('vfio-pci,')) return;
    const m = /(?:^|,)host=([0-9a-fA-F:.]+)(?:,|$)/.exec(a);
    if (m?.[1]) out.push(m[1].toLowerCase());
  });
  return out;
}
