/** The bridge plan as `passthru bridge` prints it: what was found, the checks, each step with its diff and commands, and what confirm-or-revert will check. */
import { NETWORK_STACK_NAMES } from '#shared/bridge';
import { describeLiveCheck } from '#shared/confirm-window';
import type { Plan } from '#shared/plan';
import { checkLines, refusalLine } from '../plan-text';

export function formatBridgePlan(plan: Plan): string {
  const d = plan.detail.kind === 'bridge' ? plan.detail : null;
  if (!d) return '';
  const lines = [
    `Plan ${plan.id}: ${d.action === 'create' ? `bridge ${d.bridge} over ${d.port}` : `remove bridge ${d.bridge}, giving ${d.port} its configuration back`}`,
    '',
    'Found:',
  ];
  const holder = d.action === 'create' ? d.port : d.bridge;
  lines.push(`  network stack: ${NETWORK_STACK_NAMES[d.stack]} — ${d.stackEvidence}`);
  lines.push(`  ${holder}: MAC ${d.mac ?? 'unknown'}, addressing ${d.addressing}`);
  for (const a of d.addresses) lines.push(`  address ${a.address}${a.dynamic ? ' (from DHCP/SLAAC)' : ''}`);
  for (const r of d.routes) lines.push(`  route ${r.destination}${r.gateway ? ` via ${r.gateway}` : ''} (${r.family})`);
  for (const n of d.dns) lines.push(`  ${n}`);
  lines.push(`  this session comes through ${holder}: ${d.session === null ? 'unknown' : d.session ? 'yes' : 'no'}`);
  lines.push('', 'Checks:', ...checkLines(plan.checks), ...refusalLine(plan));
  plan.steps.forEach((s, i) => {
    lines.push('', `${i + 1}. ${s.title}`);
    for (const diff of s.diffs ?? [])
      lines.push(
        ...diff.unifiedDiff
          .trimEnd()
          .split('\n')
          .map((l) => `     ${l}`),
      );
    if (!s.diffs?.length) for (const sh of s.shell) lines.push(`     $ ${sh}`);
    lines.push(`   verify: ${s.verify}`);
    if (s.undoShell.length && !s.diffs?.length) lines.push(`   undo:   ${s.undoShell.join(' && ')}`);
    else if (s.diffs?.length) lines.push('   undo:   the file as it was, byte for byte');
  });
  if (plan.confirm) {
    lines.push('', `Then, from this host, before you are asked to keep it:`, ...plan.confirm.checks.map((c) => `  - ${describeLiveCheck(c)}`));
    lines.push(
      `Kept only if confirmed within ${plan.confirm.seconds} s (\`passthru confirm\` from any terminal); otherwise, or if a check fails, everything is put back by itself.`,
    );
  }
  return `${lines.join('\n')}\n`;
}
