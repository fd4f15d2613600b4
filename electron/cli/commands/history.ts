/** `passthru history`: the journal of changes, newest first. */
import { COMMON_OPTIONS, type CliCommand } from '../core';
import { makeService } from '../change-support';

export const historyCommand: CliCommand = {
  name: 'history',
  summary: 'List the changes Passthru made, newest first, with each step journaled.',
  usage: 'passthru history [--json] [--root DIR] [--state-dir DIR]',
  details: ['--json           Print the entries as JSON.', '--root DIR       The host tree the journal belongs to.', '--state-dir DIR  Journal directory.'],
  options: { ...COMMON_OPTIONS, root: { type: 'string' }, 'state-dir': { type: 'string' } },
  positionals: [],
  async run(args, io) {
    const entries = await makeService(args.values).history();
    if (args.values.json) {
      io.out(`${JSON.stringify(entries, null, 2)}\n`);
      return;
    }
    if (entries.length === 0) {
      io.out('No changes recorded.\n');
      return;
    }
    for (const e of entries) {
      io.out(`${e.startedAt}  ${e.journalId}  ${e.kind} ${e.target}  ${e.state}\n`);
      for (const s of e.steps) io.out(`    ${s.state.padEnd(8)} ${s.title}\n`);
    }
  },
};
