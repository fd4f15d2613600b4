/** Human-readable output of `passthru vm status|list` and the pre-start checks. */
import { formatArgv } from '#shared/shell-quote';
import type { VmStatus } from '#shared/vm';
import type { VmFix } from '#shared/vm-api';
import type { VmCheck } from '../../host/vm/vm-checks';
import type { VmListEntry } from '../../host/vm/vm-supervisor';

function duration(s: number | null): string {
  if (s === null) return '?';
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h ? `${h}h ${m}m` : m ? `${m}m ${s % 60}s` : `${s}s`;
}

/**
 * The command line of a check's fix. An assign gives the group to the user running this
 * command ($USER, left for their shell), as the window's assign does, so that user can start the VM.
 */
export function fixCommand(fix: VmFix): string {
  if (fix.kind === 'iommu') return formatArgv(['sudo', 'passthru', 'iommu', 'enable']);
  if (fix.kind === 'stop-vm') return formatArgv(['passthru', 'vm', 'stop', fix.name]);
  return `${formatArgv(['sudo', 'passthru', 'assign', fix.address, ...(fix.wholeGroup ? ['--group'] : []), '--owner'])} "$USER"`;
}

export function formatChecks(checks: VmCheck[]): string {
  if (!checks.length) return 'Checks: none needed.';
  return [
    'Checks:',
    ...checks.flatMap((c) => [`  [${c.status}] ${c.title}: ${c.detail}${c.remedy ? ` (${c.remedy})` : ''}`, ...(c.fix ? [`      run: ${fixCommand(c.fix)}`] : [])]),
  ].join('\n');
}

export function formatStatus(s: VmStatus): string {
  if (!s.running) return `VM ${s.name}: stopped.\nLog: ${s.logFile}\n`;
  const lines = [`VM ${s.name}: ${s.state} (pid ${s.pid ?? '?'}, ${s.accel ?? '?'}, up ${duration(s.uptimeSeconds)}, CPU ${s.cpuSeconds ?? '?'} s)`];
  if (s.vnc) lines.push(`VNC:  ${s.vnc}`);
  if (s.taps.length) lines.push(`Taps: ${s.taps.join(', ')}`);
  lines.push(`Log:  ${s.logFile}`);
  if (s.devices.length) {
    lines.push('Guest PCI devices:');
    for (const d of s.devices) {
      const addr = `${d.bus.toString(16).padStart(2, '0')}:${d.slot.toString(16).padStart(2, '0')}.${d.function}`;
      lines.push(`  ${addr}  ${d.vendorId}:${d.deviceId}  ${d.className ?? ''}${d.qdevId ? `  [${d.qdevId}]` : ''}${d.mac ? `  mac ${d.mac}` : ''}`);
    }
  }
  for (const n of s.notes) lines.push(`Note: ${n}`);
  return `${lines.join('\n')}\n`;
}

export function formatList(entries: VmListEntry[]): string {
  if (!entries.length) return 'No VMs yet. Create one with `passthru vm create NAME`.\n';
  const rows = entries.map((e) => {
    const p = e.profile;
    const what = p
      ? `${p.cpus} CPU, ${p.memoryMiB} MiB, ${p.nics.map((n) => (n.kind === 'passthrough' ? n.address : n.kind === 'bridge' ? `bridge ${n.bridge}` : 'nat')).join(' + ') || 'no NIC'}`
      : `(${e.problem ?? 'unreadable'})`;
    return [e.name, e.running ? `running (pid ${e.pid})` : 'stopped', what];
  });
  const w0 = Math.max(4, ...rows.map((r) => r[0]!.length));
  const w1 = Math.max(5, ...rows.map((r) => r[1]!.length));
  return [`${'NAME'.padEnd(w0)}  ${'STATE'.padEnd(w1)}  PROFILE`, ...rows.map((r) => `${r[0]!.padEnd(w0)}  ${r[1]!.padEnd(w1)}  ${r[2]}`)].join('\n') + '\n';
}
