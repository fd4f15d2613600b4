/**
 * The `passthru` dispatcher, separate from the binary's entry (passthru.ts) so tests can run
 * it in-process. One command per file (commands/*.ts); everything about arguments, errors and
 * exit codes is in command-line.ts so every command, now and later, keeps the same contract.
 */
import { ERROR_CODES } from '#shared/errors';
import { PASSTHRU_VERSION } from '../host/snapshot-format';
import { commandHelp, neutralizedIo, parseCommandArgs, reportError, usageError, wantsJson, type CliCommand, type CliIo } from './command-line';
import { scanCommand } from './commands/scan';
import { snapshotCommand } from './commands/snapshot';
import { assignCommand } from './commands/assign';
import { historyCommand } from './commands/history';
import { releaseCommand } from './commands/release';
import { undoCommand } from './commands/undo';
import { sriovCommand } from './commands/sriov';
import { iommuCommand } from './commands/iommu';
import { vmCommand } from './commands/vm';
import { serveCommand } from './commands/serve';
import { installHelperCommand } from './commands/install-helper';
import { bridgeCommand } from './commands/bridge';
import { confirmCommand } from './commands/confirm';
import { revertTimerCommand } from './commands/revert-timer';

export const COMMANDS: readonly CliCommand[] = [
  scanCommand,
  snapshotCommand,
  assignCommand,
  releaseCommand,
  sriovCommand,
  iommuCommand,
  bridgeCommand,
  confirmCommand,
  vmCommand,
  historyCommand,
  undoCommand,
  serveCommand,
  installHelperCommand,
  revertTimerCommand,
];

/**
 * Runs the command line and returns the exit code (the process is not exited here). Every
 * command prints through neutralizedIo: none can forget to escape host data.
 */
export async function main(argv: string[], rawIo: CliIo): Promise<number> {
  const io = neutralizedIo(rawIo);
  const json = wantsJson(argv);
  try {
    const [first, ...rest] = argv;
    if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
      if (first === undefined) {
        io.err(generalHelp());
        return ERROR_CODES.BAD_INPUT;
      }
      io.out(generalHelp());
      return 0;
    }
    if (first === '--version' || first === '-V') {
      io.out(`${PASSTHRU_VERSION}\n`);
      return 0;
    }
    const command = COMMANDS.find((c) => c.name === first);
    if (!command) {
      throw usageError(null, first.startsWith('-') ? `Unknown option '${first}'.` : `Unknown command '${first}'.`);
    }
    const args = parseCommandArgs(command, rest);
    if (args.values.help) {
      io.out(commandHelp(command));
      return 0;
    }
    await command.run(args, io);
    return 0;
  } catch (err) {
    return reportError(err, json, io);
  }
}

function generalHelp(): string {
  const listed = COMMANDS.filter((c) => !c.hidden);
  const width = Math.max(...listed.map((c) => c.usage.length));
  return [
    `passthru ${PASSTHRU_VERSION} — give PCI devices (above all NICs) to qemu/KVM virtual machines`,
    '',
    'Usage:',
    ...listed.map((c) => `  ${c.usage.padEnd(width)}  ${c.summary}`),
    '  passthru --help | --version',
    '',
    'Run `passthru COMMAND --help` for the options of a command.',
    '',
    'Exit codes: 0 done; 2 bad input or usage (nothing changed); 3 refused by a safety check',
    '(nothing changed); 4 operation failed (rolled back); 5 the environment lacks something required.',
    'With --json, errors are printed on stdout as {"error": {"code", "message", "remedy"}}.',
    '',
  ].join('\n');
}
