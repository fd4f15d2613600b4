/**
 * Which processes hold a VFIO group open (/dev/vfio/<N> among their file descriptors): that
 * is how a running VM shows, whatever started it. Read from /proc/<pid>/fd through HostFs, so
 * snapshots leave it out (see ScanOptions.processes), and only processes this user may
 * inspect are seen.
 */
import type { VfioGroupUser } from '#shared/model';
import type { HostFs } from '../fs/host-fs';

export function probeVfioUsers(fs: HostFs): Map<number, VfioGroupUser[]> {
  const map = new Map<number, VfioGroupUser[]>();
  for (const pid of fs.list('/proc').filter((n) => /^\d+$/.test(n))) {
    const groups = new Set<number>();
    for (const fd of fs.list(`/proc/${pid}/fd`)) {
      const m = /^\/dev\/vfio\/(\d+)$/.exec(fs.readLink(`/proc/${pid}/fd/${fd}`) ?? '');
      if (m) groups.add(Number(m[1]));
    }
    if (!groups.size) continue;
    const command = fs.readText(`/proc/${pid}/comm`)?.trim() || '?';
    for (const g of groups) map.set(g, [...(map.get(g) ?? []), { pid: Number(pid), command }]);
  }
  return map;
}
