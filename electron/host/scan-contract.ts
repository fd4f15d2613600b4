/**
 * An executable form of the HostScan contract (the CLI's JSON is read by other programs): every
 * field present (missing is `null`, never absent), full PCI addresses, 4-digit lowercase hex
 * ids. Tests run it against `passthru scan --json` output and fixtures; the
 * `z.ZodType<HostScan>` annotation makes the compiler flag this schema whenever shared/model.ts
 * changes, so the check cannot drift.
 */
import { z } from 'zod';
import type { HostScan } from '#shared/model';

const address = z.string().regex(/^[0-9a-f]{4,}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]$/, 'a full PCI address like 0000:00:02.0');
const id4 = z.string().regex(/^[0-9a-f]{4}$/, '4 lowercase hex digits');
const str = z.string();
const nstr = z.string().nullable();

const hostInfo = z.object({
  kernel: nstr,
  cmdline: nstr,
  cpu: z.object({ vendor: nstr, virtualization: z.enum(['vmx', 'svm']).nullable(), modelName: nstr }),
  kvm: z.boolean(),
  kvmAccessible: z.boolean().nullable(),
  iommu: z.object({
    enabled: z.boolean(),
    vendor: nstr,
    units: z.array(str),
    groupCount: z.number().int().nonnegative(),
    mode: z.enum(['passthrough', 'translated']).nullable(),
    cmdlineArgs: z.array(str),
    interruptRemapping: z.boolean().nullable(),
  }),
  vfio: z.object({ loaded: z.array(str), available: z.array(str), unsafeInterrupts: z.boolean().nullable() }),
});

const device = z.object({
  address,
  vendorId: id4,
  deviceId: id4,
  subsystemVendorId: id4.nullable(),
  subsystemDeviceId: id4.nullable(),
  classId: z.string().regex(/^[0-9a-f]{6}$/, '6 lowercase hex digits'),
  revision: z
    .string()
    .regex(/^[0-9a-f]{2}$/)
    .nullable(),
  vendorName: nstr,
  deviceName: nstr,
  subsystemName: nstr,
  className: nstr,
  driver: nstr,
  driverOverride: nstr,
  modules: z.array(str),
  iommuGroup: z.number().int().nonnegative().nullable(),
  numaNode: z.number().int().nonnegative().nullable(),
  parent: address.nullable(),
  rootBus: str,
  resetMethods: z.array(str).nullable(),
  sriov: z
    .object({
      totalVfs: z.number().int().nonnegative(),
      numVfs: z.number().int().nonnegative(),
      vfs: z.array(address),
      driversAutoprobe: z.boolean().nullable(),
      vfSettings: z
        .array(
          z.object({
            index: z.number().int().nonnegative(),
            mac: nstr,
            vlan: z.number().int().min(0).max(4095),
            qos: z.number().int().min(0).max(7),
            spoofCheck: z.boolean().nullable(),
            trust: z.boolean().nullable(),
            linkState: z.enum(['auto', 'enable', 'disable']).nullable(),
          }),
        )
        .nullable(),
      bootRule: z.object({ numVfs: z.number().int().nonnegative(), autoprobe: z.boolean() }).nullable(),
    })
    .nullable(),
  physfn: address.nullable(),
  interfaces: z.array(str),
  isBridge: z.boolean(),
  bootVga: z.boolean(),
  hostNeeds: z.array(z.object({ kind: z.enum(['management-nic', 'mounted-disk', 'display']), detail: str })),
  acs: z
    .object({
      configSize: z.number().int().nonnegative(),
      portType: z
        .enum([
          'conventional',
          'endpoint',
          'legacy-endpoint',
          'rc-endpoint',
          'root-port',
          'upstream-port',
          'downstream-port',
          'pcie-to-pci-bridge',
          'pci-to-pcie-bridge',
          'rc-event-collector',
          'other',
        ])
        .nullable(),
      multifunction: z.boolean(),
      present: z.boolean().nullable(),
      capability: z.number().int().min(0).max(0xffff).nullable(),
      control: z.number().int().min(0).max(0xffff).nullable(),
      isolates: z.boolean().nullable(),
      missing: z.array(z.enum(['source-validation', 'request-redirect', 'completion-redirect', 'upstream-forwarding'])),
    })
    .nullable(),
});

const group = z.object({
  id: z.number().int().nonnegative(),
  devices: z.array(address),
  viable: z.boolean(),
  passthrough: z.object({
    state: z.enum(['ready', 'assignable', 'shared', 'host-only', 'blocked']),
    reasons: z.array(str).min(1),
    members: z.array(address),
    joinedBy: z.array(str),
    options: z.array(str),
  }),
  blockers: z.array(z.object({ address, driver: str })),
  openBy: z.array(z.object({ pid: z.number().int().positive(), command: str })),
});

const netInterface = z.object({
  name: str,
  mac: nstr,
  device: address.nullable(),
  driver: nstr,
  operstate: nstr,
  speedMbps: z.number().int().nonnegative().nullable(),
  mtu: z.number().int().nonnegative().nullable(),
  addresses: z.array(
    z.object({
      family: z.enum(['ipv4', 'ipv6']),
      address: str,
      prefixLength: z.number().int().nonnegative(),
      scope: nstr,
    }),
  ),
  defaultRoute: z.object({ ipv4: z.boolean(), ipv6: z.boolean() }),
  master: nstr,
  ports: z.array(str),
  kind: z.enum(['loopback', 'physical', 'bridge', 'bond', 'vlan', 'tap', 'virtual']),
  management: z.boolean(),
  inUse: z.boolean(),
  pfInterface: nstr,
});

const readiness = z.object({
  id: z.enum(['cpu-virtualization', 'kvm', 'iommu-enabled', 'iommu-mode', 'interrupt-remapping', 'vfio-modules', 'kernel-cmdline']),
  title: str,
  status: z.enum(['pass', 'warn', 'fail']),
  detail: str,
  remedy: nstr,
});

/** The whole document; extra fields are allowed (the contract says "at least"). */
export const HOST_SCAN_SCHEMA: z.ZodType<HostScan> = z.object({
  schemaVersion: z.literal(1),
  source: z.object({ kind: z.enum(['live', 'snapshot']), root: str, capturedAt: nstr, hostname: nstr }),
  host: hostInfo,
  devices: z.array(device),
  groups: z.array(group),
  interfaces: z.array(netInterface),
  readiness: z.array(readiness),
});

/** Contract violations of a parsed `scan --json` document as `path: problem` lines; [] when it conforms. */
export function checkScanContract(value: unknown): string[] {
  const result = HOST_SCAN_SCHEMA.safeParse(value);
  if (result.success) return [];
  return result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
}
