/**
 * The shared core of the privileged operations (one per file, GitHub Desktop style): what every
 * op gets to work with, and the argument checks every op re-runs before it touches anything —
 * the helper trusts nothing it is sent, so each argument is checked against the devices that
 * really exist under the root (DESIGN.md "Privilege").
 */
import { PassthruError } from '../../../shared/errors';
import type { OpCall } from '../../../shared/plan';
import type { CommandRunner } from '../exec/run-command';
import { writeSysfs, type SysfsWriter } from '../exec/write-sysfs';
import type { HostFs } from '../fs/host-fs';

export interface OpContext {
  /** The real directory standing for `/` (a fake tree in tests). */
  root: string;
  fs: HostFs;
  runCommand: CommandRunner;
  /** Injected by tests (the fake kernel); the child-process writer otherwise. */
  writer?: SysfsWriter;
  sysfsTimeoutMs?: number;
  /** Drivers a step may name besides the allowlist: the recorded original drivers of the plan. */
  originalDrivers: readonly string[];
  /** The planner's persistenceFiles(address) (plans/persistence-files.ts), for the persistence ops. */
  persistenceFiles?: (address: string) => { path: string; content: string }[];
  /**
   * The user the change is made for: the uid pkexec names in the helper, null when root itself
   * asked (the CLI under sudo). Ops that hand something to a user (/dev/vfio/N, a tap) or take
   * it away (a tap) only do so for this user.
   */
  callerUid?: number | null;
}

/** One privileged operation: checked, done, then verified by reading the tree back. */
export interface OpHandler<V extends OpCall['verb']> {
  validate(op: Extract<OpCall, { verb: V }>, ctx: OpContext): void;
  run(op: Extract<OpCall, { verb: V }>, ctx: OpContext): Promise<void>;
  /**
   * Null when the step's effect is really there; otherwise why not, in plain words. May be
   * async for effects only a command can read back (a VF's MAC through `ip -j link show`).
   */
  verify(op: Extract<OpCall, { verb: V }>, ctx: OpContext): string | null | Promise<string | null>;
}

/** Drivers Passthru itself binds devices to. */
export const DRIVER_ALLOWLIST: readonly string[] = ['vfio-pci'];

const FULL_ADDRESS = /^[0-9a-f]{4}:[0-9a-f]{2}:[01][0-9a-f]\.[0-7]$/;
const DRIVER_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$/;

function bad(message: string): PassthruError {
  return new PassthruError('BAD_INPUT', message, 'Plan the change again; Passthru only acts on devices that exist.');
}

/** Full-form address (domain:bus:slot.function) of a device present under the root. */
export function checkAddress(address: unknown, ctx: OpContext): string {
  if (typeof address !== 'string' || !FULL_ADDRESS.test(address)) {
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

export function write(ctx: OpContext, inside: string, value: string): Promise<void> {
  return writeSysfs(ctx.root, inside, value, { writer: ctx.writer, timeoutMs: ctx.sysfsTimeoutMs });
}
