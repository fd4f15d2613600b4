/**
 * Test only: gives a fake host tree the devices a host cannot give up, the way the probes find
 * them on a real machine — a default route through an interface (/proc/net/route: the
 * management NIC) and a mounted root filesystem on a disk behind a PCI controller
 * (/proc/self/mounts and the block device's /sys/class/block link). The safety checks and the
 * host guard are tested against these.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * The default IPv4 route goes through `iface` (which must exist in the tree); its netdev gets
 * the `device` link a real one has, so the scan ties it to its PCI function.
 */
export function makeManagementNic(root: string, iface: string): void {
  const netdev = fs.realpathSync(path.join(root, 'sys/class/net', iface));
  if (!fs.existsSync(path.join(netdev, 'device'))) fs.symlinkSync('../..', path.join(netdev, 'device'));
  const file = path.join(root, 'proc/net/route');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(
    file,
    'Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n' +
      `${iface}\t00000000\t0102A8C0\t0003\t0\t0\t100\t00000000\t0\t0\t0\n` +
      `${iface}\t0002A8C0\t00000000\t0001\t0\t0\t100\t00FFFFFF\t0\t0\t0\n`,
  );
}

/** `/` is mounted from a SATA disk (sda1) behind the PCI function `controller` (on the root bus). */
export function makeRootDiskController(root: string, controller: string): void {
  const blockDir = `sys/devices/pci0000:00/${controller}/ata1/host0/target0:0:0/0:0:0:0/block/sda/sda1`;
  fs.mkdirSync(path.join(root, blockDir), { recursive: true });
  fs.mkdirSync(path.join(root, 'sys/class/block'), { recursive: true });
  fs.symlinkSync(`../../${blockDir.slice('sys/'.length)}`, path.join(root, 'sys/class/block/sda1'));
  fs.mkdirSync(path.join(root, 'proc/self'), { recursive: true });
  fs.writeFileSync(path.join(root, 'proc/self/mounts'), 'proc /proc proc rw 0 0\n/dev/sda1 / ext4 rw,relatime 0 0\n');
}
