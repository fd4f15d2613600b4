/**
 * The shared core of the privileged operations (one per file, GitHub Desktop style): what every
 * op gets to work with, the argument checks every op re-runs before it touches anything — the
 * helper trusts nothing it is sent, so each argument is checked against the devices that
 * really exist under the root (docs/architecture.md, "The privilege model") — and the only
 * ways an op acts:
 *
 * - files under the root through {@link files} (exec/confined-fs.ts: no link leads out);
 * - the running kernel through {@link write} (sysfs), {@link chownDevice} (/dev) and
 *   {@link runIn} with scope 'kernel' (modprobe, ip) — for a tree of files (`--root DIR`)
 *   these are refused: it has no kernel, and the one they would reach is this machine's;
 * - commands on the root's files through {@link runIn} with scope 'files' (`chroot ROOT` for a tree).
 */
import * as path from 'node:path';
import type * as z from 'zod/mini';
import { PassthruError, badInput } from '#shared/errors';
import type { OpCall } from '#shared/plan';
import { ConfinedFs } from '../exec/confined-fs';
import { formatArgv, type CommandRunner, type RunOptions, type RunResult } from '../exec/run-command';
import { writeSysfs, type SysfsWriter } from '../exec/write-sysfs';
import type { HostFs } from '../fs/host-fs';
import { isPciAddress } from '#shared/pci-address';

/**
 * The kernel behind a root. 'live': the root is `/`, this machine. 'fake': a test injected one
 * (OpContext.writer, the fake kernel, with its runCommand). 'none': a tree of files (a
 * `--root DIR`, a snapshot) — nothing may act on a kernel for it.
 */
export type KernelAccess = 'live' | 'fake' | 'none';

/**
 * What a command acts on. 'kernel': the running kernel or network (modprobe, ip link, ip
 * tuntap); chroot would not isolate it, so it runs only with a kernel ('live' or 'fake').
 * 'files': the root's files (update-grub, update-initramfs, sh -n FILE); through
 * `chroot ROOT` when the root is a tree. 'local': it reads nothing but its stdin (sh -n with
 * the text on stdin), so it runs on this machine for any root.
 */
export type CommandScope = 'kernel' | 'files' | 'local';

export interface OpContext {
  /** The real directory standing for `/` (a fake tree in tests). */
  root: string;
  fs: HostFs;
  runCommand: CommandRunner;
  /** Injected by tests (the fake kernel); the child-process writer otherwise. */
  writer?: SysfsWriter;
  /** Set where the context is made, with {@link kernelFor}; when absent, kernelFor(root, writer). */
  kernel?: KernelAccess;
  sysfsTimeoutMs?: number;
  /** Drivers a step may name besides the allowlist: the recorded original drivers of the plan. */
  originalDrivers: readonly string[];
  /** Tests substitute the persistence files (to prove the allowed-directory guard); else formats/persistence-files.ts. */
  persistenceFiles?: (address: string) => { path: string; content: string }[];
  /**
   * The user the change is made for: the uid pkexec names in the helper, null when root itself
   * asked (the CLI under sudo). Ops that hand something to a user (/dev/vfio/N, a tap) or take
   * it away (a tap) only do so for this user.
   */
  callerUid?: number | null;
  /** Changes waiting for confirmation in the journal this change is written to (the confirm kind's op keeps one). */
  pending?: PendingChanges;
  /** The engine's clock (a change's deadline is read against it). */
  now?: () => Date;
}

/** Keeping a change that waits for confirmation (apply/pending-changes.ts does it on the journal). */
export interface PendingChanges {
  /** Why the change cannot be kept now, or null. */
  cannotKeep(journalId: string, now: Date): string | null;
  /** Keeps it; throws REFUSED when it cannot be kept (the timer decided first). */
  keep(journalId: string, now: Date): void;
  isKept(journalId: string): boolean;
}

/**
 * One privileged operation: checked, done, then verified by reading the tree back. `Op` is the
 * exact shape of its calls; a built-in op is typed by its verb ({@link OpHandler}), an op a
 * change kind brings by the shape it declares.
 */
export interface OpHandlerFor<Op extends { verb: string }> {
  verb: Op['verb'];
  /**
   * The op's exact shape (strict: an unknown key is refused). Journal files are parsed with
   * it, so a record can only ever hold ops that exist; the meaning is checked by validate().
   */
  schema: z.ZodMiniType<Op>;
  /**
   * 'kernel': the op acts on the running kernel (sysfs, /dev, modprobe, ip), so it is refused
   * for a tree without one before anything runs (OpRegistry.validate, ops/index.ts). 'files': it only
   * changes files under the root.
   */
  scope: 'kernel' | 'files';
  /** What the op does, in plain words, made from the op alone (history and undo show these, never stored text). */
  describe(op: Op): string;
  /** The root shell lines that do what the op does, for the plan to show and the user to copy. */
  shell(op: Op): string[];
  validate(op: Op, ctx: OpContext): void;
  run(op: Op, ctx: OpContext): Promise<void>;
  /**
   * Null when the step's effect is really there; otherwise why not, in plain words. May be
   * async for effects only a command can read back (a VF's MAC through `ip -j link show`).
   */
  verify(op: Op, ctx: OpContext): string | null | Promise<string | null>;
}

/** The handler of a built-in op, typed by its verb (shared/plan.ts OpCall). */
export type OpHandler<V extends OpCall['verb']> = OpHandlerFor<Extract<OpCall, { verb: V }>>;

/** Drivers Passthru itself binds devices to. */
export const DRIVER_ALLOWLIST: readonly string[] = ['vfio-pci'];

const DRIVER_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$/;

const bad = (message: string) => badInput(message, 'Plan the change again; Passthru only acts on devices that exist.');

/** Full-form address (domain:bus:slot.function) of a device present under the root. */
export function checkAddress(address: unknown, ctx: OpContext): string {
  if (typeof address !== 'string' || !isPciAddress(address)) {
    throw bad(`${JSON.stringify(address)} is not a full PCI address such as 0000:01:00.0.`);
  }
  if (!ctx.fs.exists(`/sys/bus/pci/devices/${address}`)) throw bad(`There is no PCI device ${address} on this host.`);
  return address;
}

/** A driver name from the allowlist or one of the plan's recorded original drivers. */
export function checkDriver(driver: unknown, ctx: OpContext): string {
  if (typeof driver !== 'string' || !DRIVER_NAME.test(driver)) {
    throw bad(`${JSON.stringify(driver)} is not a valid driver name.`);
  }
  if (!DRIVER_ALLOWLIST.includes(driver) && !ctx.originalDrivers.includes(driver)) {
    throw bad(`Driver ${driver} is neither vfio-pci nor the device's recorded original driver.`);
  }
  return driver;
}

export function checkInt(value: unknown, what: string, max = 0x7fffffff): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > max) {
    throw bad(`${what} ${JSON.stringify(value)} is not a valid number.`);
  }
  return value;
}

/** The driver a device is bound to now (the `driver` link's last component), or null. */
export function currentDriver(ctx: OpContext, address: string): string | null {
  const link = ctx.fs.readLink(`/sys/bus/pci/devices/${address}/driver`);
  if (link === null) return null;
  return link.split('/').pop() ?? null;
}

/** driver_override as the kernel shows it, "(null)" read as null. */
export function currentOverride(ctx: OpContext, address: string): string | null {
  const text = ctx.fs.readText(`/sys/bus/pci/devices/${address}/driver_override`);
  const v = text?.trim() ?? '';
  return v === '' || v === '(null)' ? null : v;
}

/** The IOMMU group number of a device, or null. */
export function iommuGroupOf(ctx: OpContext, address: string): number | null {
  const link = ctx.fs.readLink(`/sys/bus/pci/devices/${address}/iommu_group`);
  const n = link === null ? NaN : Number(link.split('/').pop());
  return Number.isInteger(n) ? n : null;
}

/** The one rule: a test's kernel when injected, this machine's for `/`, none for a tree. */
export function kernelFor(root: string, writer?: SysfsWriter): KernelAccess {
  if (writer) return 'fake';
  return path.resolve(root) === '/' ? 'live' : 'none';
}

export function kernelOf(ctx: OpContext): KernelAccess {
  return ctx.kernel ?? kernelFor(ctx.root, ctx.writer);
}

/** Refuses (ENVIRONMENT) to act on a kernel for a tree without one, naming the command for the user to run on the real host. */
export function requireKernel(ctx: OpContext, command: string): void {
  if (kernelOf(ctx) !== 'none') return;
  throw new PassthruError(
    'ENVIRONMENT',
    `${ctx.root} is a tree of files, not a running system, so Passthru does not run \`${command}\` for it (that would act on this machine's kernel): run it on the host the tree stands for.`,
    'On that host, the same passthru command without --root does it for you.',
  );
}

const confined = new WeakMap<HostFs, ConfinedFs>();

/**
 * The root's files, for every change an op makes to them (and the reads that check those
 * changes). One per context (per ctx.fs, which copies of the context share), so the root is
 * pinned once: every write of an apply goes into the directory it was when the first one ran.
 */
export function files(ctx: OpContext): ConfinedFs {
  let c = confined.get(ctx.fs);
  if (c === undefined) {
    c = new ConfinedFs(ctx.root);
    confined.set(ctx.fs, c);
  }
  return c;
}

/** argv as it is run for `scope` (see {@link CommandScope}); throws when it may not run at all. */
export function commandFor(ctx: OpContext, argv: readonly string[], scope: CommandScope): string[] {
  if (scope === 'kernel') requireKernel(ctx, formatArgv(argv));
  if (scope === 'files' && path.resolve(ctx.root) !== '/') return ['chroot', ctx.root, ...argv];
  return [...argv];
}

/** The one way an op runs a command. */
export async function runIn(ctx: OpContext, argv: readonly string[], scope: CommandScope, options?: RunOptions): Promise<RunResult> {
  return ctx.runCommand(commandFor(ctx, argv, scope), options);
}

/** A sysfs attribute write (a kernel action): opened under the root, written by a child or the test kernel. */
export async function write(ctx: OpContext, inside: string, value: string): Promise<void> {
  requireKernel(ctx, value.trim() === '' ? `echo > ${inside}` : `echo ${value} > ${inside}`);
  return writeSysfs(files(ctx), inside, value, { writer: ctx.writer, timeoutMs: ctx.sysfsTimeoutMs });
}

/** chown of a device node under /dev (a kernel object): confined, by its pinned inode. */
export function chownDevice(ctx: OpContext, inside: string, uid: number, gid: number): void {
  requireKernel(ctx, `chown ${uid}:${gid} ${inside}`);
  files(ctx).chown(inside, uid, gid);
}
