/**
 * A saved VM profile: what the CLI stores as JSON, the supervisor turns into a qemu
 * command line, and the New-VM wizard edits. Pure and shared, so the renderer validates with
 * the very schema the host re-checks before anything reaches qemu. The zod schema is the
 * single source of truth; the TypeScript type is inferred from it.
 */
import { z } from 'zod';
import { macProblem, normalizeMac } from './mac';
import { IFNAME_PATTERN, PCI_ADDRESS_PATTERN, VM_NAME_PATTERN } from './vm-names';

export { derivedVmMac, IFNAME_PATTERN, nicMac, PCI_ADDRESS_PATTERN, VM_NAME_PATTERN, VM_TAP_PATTERN, vmTapName } from './vm-names';

export const vmName = z.string().regex(VM_NAME_PATTERN, 'A VM name is 1–63 letters, digits, dots, dashes or underscores, starting with a letter or digit.');

/** Absolute path without NUL or newline (qemu and the shell export must get it intact). */
const hostPath = z
  .string()
  .min(2)
  .max(4096)
  .refine((p) => p.startsWith('/'), 'Give an absolute path.')
  .refine((p) => !/[\0\n\r]/.test(p), 'A path may not contain NUL or line breaks.');

const mac = z.string().transform((m, ctx) => {
  const problem = macProblem(m);
  if (problem) {
    ctx.addIssue({ code: 'custom', message: problem });
    return z.NEVER;
  }
  return normalizeMac(m) ?? m;
});

export const vmNicSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('passthrough'), address: z.string().regex(PCI_ADDRESS_PATTERN, 'A PCI address looks like 0000:01:00.0.') }).strict(),
  z
    .object({ kind: z.literal('bridge'), bridge: z.string().regex(IFNAME_PATTERN, 'A bridge name is up to 15 letters, digits, dots, dashes or underscores.'), mac: mac.optional() })
    .strict(),
  z.object({ kind: z.literal('nat'), mac: mac.optional() }).strict(),
]);

export const vmDiskSchema = z.object({ path: hostPath, format: z.enum(['qcow2', 'raw']) }).strict();

/**
 * A profile saved while the GUI showed a snapshot: its NICs were chosen among that host's
 * devices and bridges, and its checks were computed against them. Main sets it (never the
 * renderer); the VM still runs on this machine, whose start checks compare it with this host.
 */
export const vmMadeAgainstSchema = z
  .object({
    hostname: z.string().max(255).nullable(),
    capturedAt: z.string().max(64).nullable(),
    /** The snapshot folder on this machine. */
    root: z.string().min(1).max(4096),
  })
  .strict();

export const vmProfileSchema = z
  .object({
    name: vmName,
    cpus: z.number().int().min(1).max(256),
    memoryMiB: z
      .number()
      .int()
      .min(16)
      .max(16 * 1024 * 1024),
    firmware: z.enum(['seabios', 'ovmf']),
    machine: z.literal('q35'),
    disks: z.array(vmDiskSchema).max(16),
    iso: hostPath.nullable(),
    display: z.enum(['none', 'vnc', 'window']),
    nics: z.array(vmNicSchema).max(16),
    createdAt: z.string().min(1).max(64),
    madeAgainst: vmMadeAgainstSchema.optional(),
  })
  .strict();

export type VmNic = z.infer<typeof vmNicSchema>;
export type VmDisk = z.infer<typeof vmDiskSchema>;
export type VmMadeAgainst = z.infer<typeof vmMadeAgainstSchema>;
export type VmProfile = z.infer<typeof vmProfileSchema>;
export type VmFirmware = VmProfile['firmware'];
export type VmDisplay = VmProfile['display'];

/** qemu's run states as `query-status` reports them, plus `stopped` for no process. */
export type VmRunState = 'running' | 'paused' | 'prelaunch' | 'shutdown' | 'stopped' | string;

/** One PCI function in the guest, from QMP `query-pci` (plus the MAC for our NICs). */
export interface VmGuestDevice {
  bus: number;
  slot: number;
  function: number;
  vendorId: string;
  deviceId: string;
  className: string | null;
  /** qemu's device id (`nic0`, `disk0`, …) when we named it. */
  qdevId: string | null;
  mac: string | null;
}

/** A VM as `vm status` reports it. */
export interface VmStatus {
  name: string;
  running: boolean;
  state: VmRunState;
  pid: number | null;
  uptimeSeconds: number | null;
  cpuSeconds: number | null;
  accel: 'kvm' | 'tcg' | null;
  devices: VmGuestDevice[];
  /** `127.0.0.1:5900` when the VM has a VNC display. */
  vnc: string | null;
  taps: string[];
  logFile: string;
  qmpSocket: string;
  /** Why some part could not be read (QMP unreachable, …). */
  notes: string[];
}
