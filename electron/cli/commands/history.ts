/** `passthru history`: the journal of changes, newest first, and any journal file that is not one. */
import { describePendingConfirm } from '#shared/confirm-window';
import { COMMON_OPTIONS, type CliCommand } from '../command-line';
import { makeService } from '../change-support';

export const historyCommand: CliCommand = {
  name: 'history',
  summary: 'List the changes Passthru made, newest first, with each step journaled.',
  usage: 'passthru history [--json] [--root DIR] [--state-dir DIR]',
  details: [
    '--json           Print the entries as JSON ({"entries": [...], "unreadable": [...]}).',
    '--root DIR       The host tree the journal belongs to.',
    '--state-dir DIR  Journal directory.',
  ],
  options: { ...COMMON_OPTIONS, root: { type: 'string' }, 'state-dir': { type: 'string' } },
  positionals: [],
  async run(args, io) {
    const { entries, unreadable } = await makeService(args.values).history();
    if (args.values.json) {
      io.out(`${JSON.stringify({ entries, unreadable }, null, 2)}\n`);
      return;
    }
    if (entries.length === 0 && unreadable.length === 0) {
      io.out('No changes recorded.\n');
      return;
    }
    for (const e of entries) {
      const on = e.root === '/' ? '' : e.root === null ? '  (host not recorded)' : `  (on ${e.root})`;
      const reverses = e.reverses ? `  reverses ${e.reverses}` : '';
      io.out(`${e.startedAt}  ${e.journalId}  ${e.kind} ${e.target}  ${e.state}${reverses}${on}\n`);
      if (e.confirm) io.out(`    (${describePendingConfirm(e.confirm)})\n`);
      for (const s of e.steps) io.out(`    ${s.state.padEnd(8)} ${s.title}\n`);
    }
    for (const u of unreadable) {
      io.out(`unreadable  ${u.file}: ${u.problem}. Passthru ignores it; move it away once you have looked at it.\n`);
    }
  },
};
