/**
 * The boot-time files that keep one device on vfio-pci across reboots. One function, used by
 * the planner (preview) and by the write/remove-persistence ops (what is really written), so
 * the user sees exactly the bytes that land on disk. Keyed by ADDRESS, driverctl-style: a
 * vendor:device id (`vfio-pci.ids=`) would grab every identical NIC in the machine.
 */
import { parsePciAddress } from '#shared/pci-address';

/** Shared by every persisted device; removing one device's rule leaves it in place if others remain. */
export const MODULES_LOAD_FILE = '/etc/modules-load.d/passthru-vfio.conf';

export function udevRulePath(address: string): string {
  return `/etc/udev/rules.d/90-passthru-${parsePciAddress(address)}.rules`;
}

/** Files (full path inside the root, full content) that persist `address` on vfio-pci. */
export function persistenceFiles(address: string): { path: string; content: string }[] {
  const a = parsePciAddress(address);
  return [
    {
      path: udevRulePath(a),
      content:
        `# Written by Passthru: keep ${a} on vfio-pci at boot. Remove with \`passthru release ${a}\`.\n` +
        `ACTION=="add", SUBSYSTEM=="pci", KERNEL=="${a}", ATTR{driver_override}="vfio-pci"\n`,
    },
    { path: MODULES_LOAD_FILE, content: '# Written by Passthru: load vfio-pci early so overridden devices bind at boot.\nvfio-pci\n' },
  ];
}

export function sriovRulePath(address: string): string {
  return `/etc/udev/rules.d/91-passthru-sriov-${parsePciAddress(address)}.rules`;
}

/** First line of every SR-IOV rule Passthru writes: removal only deletes files that carry it. */
export const SRIOV_RULE_MARK = '# Written by Passthru: SR-IOV';

/**
 * The boot-time rule that recreates `numVfs` VFs on the PF at `address` each time its own
 * driver binds (udev's "bind" event: sriov_numvfs is only writable once a PF driver is bound;
 * at "add" it is not). Not when the PF goes to vfio-pci, which would refuse it. Autoprobe is
 * written first so VFs meant for VMs never get a host driver, even for a moment.
 */
export function sriovPersistenceFile(address: string, numVfs: number, autoprobe: boolean): { path: string; content: string } {
  const a = parsePciAddress(address);
  return {
    path: sriovRulePath(a),
    content:
      `${SRIOV_RULE_MARK} create ${numVfs} VFs on ${a} at boot. Remove with \`passthru sriov ${a} --vfs 0\`.\n` +
      `ACTION=="bind", SUBSYSTEM=="pci", KERNEL=="${a}", DRIVER!="vfio-pci", ATTR{sriov_drivers_autoprobe}="${autoprobe ? 1 : 0}", ATTR{sriov_numvfs}="${numVfs}"\n`,
  };
}

/** What an existing SR-IOV rule of Passthru's says, or null when `content` is not one. */
export function parseSriovRule(content: string): { numVfs: number; autoprobe: boolean } | null {
  if (!content.startsWith(SRIOV_RULE_MARK)) return null;
  const n = /ATTR\{sriov_numvfs\}="(\d+)"/.exec(content);
  const ap = /ATTR\{sriov_drivers_autoprobe\}="([01])"/.exec(content);
  return n && ap ? { numVfs: Number(n[1]), autoprobe: ap[1] === '1' } : null;
}
