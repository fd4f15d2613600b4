/**
 * The boot-time files that keep one device on vfio-pci across reboots. One function, used by
 * the planner (preview) and by the write/remove-persistence ops (what is really written), so
 * the user sees exactly the bytes that land on disk. Keyed by ADDRESS, driverctl-style: a
 * vendor:device id (`vfio-pci.ids=`) would grab every identical NIC in the machine.
 */
import { parsePciAddress } from './validate';

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
