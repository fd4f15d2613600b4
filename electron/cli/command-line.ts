/**
 * The shared core of the `passthru` command line: strict argument parsing, root checks, and
 * the error contract every command (now and in later issues) follows — one plain sentence
 * plus the remedy on stderr, or `{"error": {code, message, remedy}}` on stdout with --json,
 * and the exit code of the error's code (shared/errors.ts). Commands live one per file in
 * commands/ and only describe their options and do their work.
 */
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { PassthruError, badInput, exitCodeFor, toErrorData } from '#shared/errors';
import { visibleControls } from '#shared/control-chars';
import { checkValue, COMMON_VALUE_RULES, type ValueRule } from './option-values';

/** Where output goes; tests capture it, the binary writes to the process streams. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
}

/**
 * The CLI's one output layer (main() puts every command behind it): whatever a command prints,
 * text or JSON, reaches the terminal with control, C1 and bidi characters made visible as
 * `\uXXXX` (shared/control-chars.ts) — host data cannot clear the screen, retitle the window
 * or reorder a line, and JSON stays valid JSON of the same value. TAB and LF stay.
 */
export function neutralizedIo(io: CliIo): CliIo {
  return { out: (text) => io.out(visibleControls(text)), err: (text) => io.err(visibleControls(text)) };
}

type Options = NonNullable<ParseArgsConfig['options']>;

export interface ParsedArgs {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
  /** Values of `multiple: true` options, in order ([] when absent); kept out of `values`. */
  lists?: Record<string, string[]>;
}

/** One `passthru <name>` command. */
export interface CliCommand {
  name: string;
  /** Left out of `passthru --help`: run by Passthru itself (the revert timer). */
  hidden?: boolean;
  /** One line for `passthru --help`. */
  summary: string;
  /** e.g. `passthru scan [--json] [--root DIR]` */
  usage: string;
  /** Option and argument lines for `passthru <name> --help`. */
  details: string[];
  options: Options;
  /** Names of the positional arguments, all required. */
  positionals: string[];
  /** Names of positional arguments that may follow the required ones. */
  optionalPositionals?: string[];
  /**
   * The words the first positional may be (`vm start`, `iommu status`): checked even with
   * --help, so an unknown action asked for help is an error, not help.
   */
  actions?: readonly string[];
  /**
   * What option values (by option name) and positionals (by their NAME) must be; options in
   * COMMON_VALUE_RULES need not be repeated. Checked before run(); see option-values.ts.
   */
  values?: Record<string, ValueRule>;
  run(args: ParsedArgs, io: CliIo): Promise<void>;
}

/** Options every command accepts. */
export const COMMON_OPTIONS = {
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies Options;

export const ROOT_OPTION = { root: { type: 'string' } } as const satisfies Options;

/** Parses a command's arguments strictly; any usage problem is BAD_INPUT. */
export function parseCommandArgs(command: CliCommand, argv: string[]): ParsedArgs {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: argv, options: { ...COMMON_OPTIONS, ...command.options }, allowPositionals: true, strict: true });
  } catch (err) {
    throw usageError(command, describeParseError(err));
  }
  const values: ParsedArgs['values'] = {};
  const lists: Record<string, string[]> = {};
  for (const [key, option] of Object.entries({ ...COMMON_OPTIONS, ...command.options })) {
    if ('multiple' in option && option.multiple) lists[key] = [];
  }
  for (const [key, value] of Object.entries(parsed.values)) {
    if (Array.isArray(value)) lists[key] = value.map(String);
    else values[key] = value;
  }
  // Only commands that declare `multiple` options get `lists`, so others keep their shape.
  const withLists = Object.keys(lists).length ? { lists } : {};
  const action = parsed.positionals[0];
  if (command.actions && action !== undefined && !command.actions.includes(action)) {
    throw usageError(command, `Unknown action ${JSON.stringify(action)}: give ${command.actions.join(', ')}.`);
  }
  if (values.help) return { values, positionals: parsed.positionals, ...withLists };
  const expected = command.positionals;
  const most = expected.length + (command.optionalPositionals?.length ?? 0);
  if (parsed.positionals.length < expected.length) {
    throw usageError(command, `Missing ${expected.slice(parsed.positionals.length).join(' ')}.`);
  }
  if (parsed.positionals.length > most) {
    throw usageError(command, `Unexpected argument '${parsed.positionals[most] ?? ''}'.`);
  }
  checkValues(command, { values, positionals: parsed.positionals, lists });
  return { values, positionals: parsed.positionals, ...withLists };
}

/** The rule an option's value follows: the command's own, else the shared one (option-values.ts). */
export function valueRule(command: CliCommand, name: string): ValueRule | undefined {
  return command.values?.[name] ?? COMMON_VALUE_RULES[name];
}

/** Every option value and positional against its rule; the first bad one is BAD_INPUT. */
function checkValues(command: CliCommand, args: Required<ParsedArgs>): void {
  const remedy = `See \`passthru ${command.name} --help\`.`;
  const names = [...command.positionals, ...(command.optionalPositionals ?? [])];
  args.positionals.forEach((value, i) => {
    const name = names[i] ?? 'ARGUMENT';
    checkValue(name.toUpperCase() as Uppercase<string>, value, command.values?.[name], remedy);
  });
  for (const [key, value] of Object.entries(args.values)) {
    if (typeof value === 'string') checkValue(`--${key}`, value, valueRule(command, key), remedy);
  }
  for (const [key, list] of Object.entries(args.lists)) {
    for (const value of list) checkValue(`--${key}`, value, valueRule(command, key), remedy);
  }
}

/** A command line that cannot be acted on: the sentence, and where its usage is explained. */
export function usageError(command: CliCommand | string | null, message: string): PassthruError {
  const name = typeof command === 'string' ? command : command?.name;
  return badInput(message, `See \`${name ? `passthru ${name} --help` : 'passthru --help'}\` for usage.`);
}

/** The message of a node:util parseArgs error, cut to its first sentence. */
function describeParseError(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const first = /^.*?[.](?=\s|$)/.exec(message)?.[0] ?? message;
  return first.endsWith('.') ? first : `${first}.`;
}

/**
 * `--root DIR` as an absolute path, `/` when absent. A root that does not exist, or is not
 * a directory, is bad input.
 */
export function resolveRoot(value: string | boolean | undefined, what = 'root'): string {
  if (typeof value !== 'string') return '/';
  if (value === '') throw new PassthruError('BAD_INPUT', `The --${what} directory is empty.`, 'Give a directory path.');
  const root = resolve(value);
  if (!existsSync(root)) {
    throw new PassthruError('BAD_INPUT', `The ${what} directory ${root} does not exist.`, 'Check the path, or capture one with `passthru snapshot DIR`.');
  }
  if (!statSync(root).isDirectory()) {
    throw new PassthruError('BAD_INPUT', `The ${what} ${root} is not a directory.`, 'Give the directory a snapshot was written to.');
  }
  return root;
}

/** Prints an error per the contract and returns the exit code. */
export function reportError(err: unknown, json: boolean, io: CliIo): number {
  const data = toErrorData(err);
  if (json) {
    io.out(`${JSON.stringify({ error: { code: data.code, message: data.message, remedy: data.remedy } })}\n`);
  } else {
    io.err(`passthru: ${data.message}${data.remedy ? ` ${data.remedy}` : ''}\n`);
    if (data.code === 'INTERNAL' && data.detail && process.env.PASSTHRU_DEBUG) io.err(`${data.detail}\n`);
  }
  return exitCodeFor(data.code);
}

/** Whether the user asked for JSON, read before parsing so usage errors honour it too. */
export function wantsJson(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end === -1 ? argv : argv.slice(0, end)).includes('--json');
}

/** Help text of one command. */
export function commandHelp(command: CliCommand): string {
  return [`Usage: ${command.usage}`, '', command.summary, '', ...command.details.map((d) => `  ${d}`), ''].join('\n');
}
