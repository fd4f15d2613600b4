/**
 * Test only, never shipped: the helper process exactly as installed (helper-process.ts: stdin,
 * JSON lines on stdout, exit status), but acting on a fake tree through the fake kernel, so the
 * pkexec path can be run end to end without root or polkit. Its one argument is a JSON
 * {@link FakeHostHelperConfig}; the installed helper takes no arguments and always acts on `/`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CommandRunner } from '../exec/run-command';
import type { SysfsWriter } from '../exec/write-sysfs';
import { FakeKernel, type FakeKernelOptions } from '../testing/fake-kernel';
import { runHelperProcess } from './helper-process';

export interface FakeHostHelperConfig {
  root: string;
  stateDir: string;
  naturalDrivers?: FakeKernelOptions['naturalDrivers'];
  /** Each sysfs write waits this long first, so a test can watch progress arrive mid-apply. */
  writeDelayMs?: number;
  /** Sysfs writes to fail once, as FakeKernel.failNext(suffix, errno). */
  failNext?: { suffix: string; errno: string }[];
}

const config = JSON.parse(process.argv[2] ?? '') as FakeHostHelperConfig;
const kernel = new FakeKernel(config.root, { naturalDrivers: config.naturalDrivers });
for (const f of config.failNext ?? []) kernel.failNext(f.suffix, f.errno);

const slowWriter: SysfsWriter = async (hostPath, value, timeoutMs) => {
  await new Promise((resolve) => setTimeout(resolve, config.writeDelayMs ?? 0));
  return kernel.writer(hostPath, value, timeoutMs);
};

/** Like the lab: `modprobe X` makes /sys/module/X appear; no other command is expected. */
const fakeModprobe: CommandRunner = async (argv) => {
  if (argv[0] !== 'modprobe') throw new Error(`The fake host cannot run ${argv.join(' ')}.`);
  fs.mkdirSync(path.join(config.root, 'sys/module', String(argv[1]).replace(/-/g, '_')), { recursive: true });
  return { argv: [...argv], exitCode: 0, stdout: '', stderr: '', durationMs: 0 };
};

runHelperProcess({ root: config.root, stateDir: config.stateDir, runCommand: fakeModprobe, writer: slowWriter, env: process.env });
