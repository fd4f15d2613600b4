/**
 * Issue 13, class 9: any value of any option of any command, run through the built binary,
 * ends in a plain answer — exit 0, 2, 3, 4 or 5, never 1 ("This is a bug"), never a stack
 * trace, never a hang, never a plan built on nonsense — and a value known to be bad (empty,
 * control characters, numbers out of range or not whole, a file where a directory goes, an
 * unknown word) is exit 2. The options come from the commands themselves (COMMANDS), so a new
 * option is fuzzed the day it is added — and this test fails until its value has a rule.
 * Every run has its own HOME, XDG directories, working directory, journal and VM directories
 * under a temporary directory, the host tree is a copy of a fixture, write commands only plan
 * (--dry-run, or no --yes without a terminal), and the places Passthru writes to on a real host
 * are compared before and after.
 */
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCli, REPO_ROOT, type BuiltCli } from './cli-test-support';
import { COMMANDS } from './main';
import { valueRule, type CliCommand } from './core';
import type { ValueRule } from './option-values';
import { ACTION_OPTIONS as VM_ACTION_OPTIONS } from './commands/vm';
import { hostileArg } from '../../shared/text-arbitraries';
import { hasControlChars } from '../../shared/control-chars';

let cli: BuiltCli;
let base: string;
let seed: string;
let aFile: string;
let aDir: string;
let before: string;

/** Places Passthru writes to on a real host (and the repo's fixture): none may change. */
const WATCHED = ['/var/lib/passthru', '/etc/udev/rules.d', '/etc/modprobe.d', '/etc/modules-load.d', '/etc/default', '/etc/kernel', '/dev/vfio', '/run/passthru', '/root/.config/passthru', '/root/.local/state/passthru', '/run/user/0/passthru', join(REPO_ROOT, 'e2e/fixtures/seed')];

function listing(path: string, depth = 0): string[] {
  let st;
  try {
    st = statSync(path);
  } catch {
    return [`${path} absent`];
  }
  const line = `${path} ${st.isDirectory() ? 'dir' : st.size} ${st.mtimeMs}`;
  if (!st.isDirectory() || depth > 6) return [line];
  return [line, ...readdirSync(path).sort().flatMap((n) => listing(join(path, n), depth + 1))];
}
const watchedState = () => WATCHED.flatMap((p) => listing(p)).join('\n');

beforeAll(async () => {
  before = watchedState();
  cli = await buildCli();
  base = mkdtempSync(join(tmpdir(), 'passthru-fuzz-'));
  seed = join(base, 'seed');
  cpSync(join(REPO_ROOT, 'e2e/fixtures/seed'), seed, { recursive: true, verbatimSymlinks: true });
  aFile = join(base, 'a-file');
  writeFileSync(aFile, 'not a directory\n');
  aDir = join(base, 'a-dir');
  mkdirSync(join(aDir, 'inside'), { recursive: true });
}, 60_000);

afterAll(() => {
  cli?.dispose();
  if (base) rmSync(base, { recursive: true, force: true });
});

/** Values for one option or positional: ones that may be fine, and ones certainly bad input. */
interface Values {
  ok: fc.Arbitrary<string>;
  bad: fc.Arbitrary<string>;
}

/** Bad for every value whatever its option: empty, control characters, longer than any path. */
const alwaysBad = fc.oneof(
  fc.constantFrom('', '\u001b[2J', 'a\u0007b', 'x\u009b1m', 'x\u202eevil', 'tab\there', 'line\nbreak', '\r', 'x'.repeat(5000)),
  hostileArg.filter(hasControlChars),
);
/** Never whole decimal numbers, or absurdly large ones: bad for every number option. */
const NOT_NUMBERS = ['-1', '1e3', '1e+23', '0x10', ' 1', '1 ', '+1', '１', 'NaN', 'Infinity', '-0', '99999999999999999999999', '9'.repeat(400), 'ten'];

/** Out of range for the option, from what the option means (not from the rule table). */
const OUT_OF_RANGE: Record<string, string[]> = {
  vlan: ['4096', '65535'],
  qos: ['8'],
  vfs: ['65536', '4294967296'],
  vf: ['65535', '4294967296'],
  cpus: ['0', '100000'],
  memory: ['0', '15', '99999999999'],
  timeout: ['86401', '100000000'],
  owner: ['4294967295', '99999999999999999999999', '-1', '1e3', 'root;id', 'a b', '$(id)'],
};

function optionValues(command: CliCommand, name: string, rule: ValueRule | undefined, sandbox: string): Values {
  const badOf = (...values: string[]) => {
    const known = [...values, ...(OUT_OF_RANGE[name] ?? [])];
    return known.length ? fc.oneof(alwaysBad, fc.constantFrom(...known)) : alwaysBad;
  };
  switch (rule?.type) {
    case 'directory':
      return { ok: fc.constant(seed), bad: badOf(aFile, join(aFile, 'sub'), '/dev/null', join(sandbox, 'missing'), `${aDir}/${'n'.repeat(300)}`) };
    case 'directory-to-be':
      return { ok: fc.constantFrom(join(sandbox, 'state'), join(sandbox, 'fresh', 'dir'), 'relative-dir'), bad: badOf(aFile, join(aFile, 'sub', 'deeper'), '/dev/null', '/proc/version', `${sandbox}/${'n'.repeat(300)}`) };
    case 'file':
      return { ok: fc.constant(aFile), bad: badOf(aDir, join(sandbox, 'missing.img'), join(aFile, 'x')) };
    case 'integer':
      return { ok: fc.oneof(fc.constantFrom(String(rule.min), String(rule.max)), fc.integer({ min: rule.min, max: rule.max }).map(String)), bad: badOf(...NOT_NUMBERS, '1.5') };
    case 'decimal':
      return { ok: fc.constantFrom(String(rule.min), '1.5', '0.25', String(rule.max)), bad: badOf(...NOT_NUMBERS) };
    case 'choice':
      return { ok: fc.constantFrom(...rule.values), bad: badOf('maybe', 'ON', 'yes ', '0') };
    case 'user':
      return { ok: fc.constantFrom('0', 'root', '65534', 'nobody', 'no-such-user'), bad: badOf('4294967296') };
    case 'pattern':
    case 'text':
      return { ok: fc.oneof(fc.constantFrom('random', '02:00:00:00:00:01', 'nat', 'bridge:br0', 'passthrough:0000:01:00.0', 'enp1s0', '2026-01-01T00-00-00-000Z-1-1'), hostileArg), bad: badOf() };
    default:
      throw new Error(`--${name} of passthru ${command.name} has no value rule: declare one (CliCommand.values or COMMON_VALUE_RULES).`);
  }
}

function positionalValues(command: CliCommand, name: string, sandbox: string): Values {
  switch (name) {
    case 'ADDRESS':
      return { ok: fc.oneof(fc.constantFrom('0000:01:00.0', '0000:00:00.0', '01:00.0', '0000:99:00.0', 'zzz', '0000:01:00.8'), hostileArg), bad: alwaysBad };
    case 'NAME':
      return { ok: fc.oneof(fc.constantFrom('vm1', 'a.b-c_d'), hostileArg), bad: fc.oneof(alwaysBad, fc.constantFrom('a b', '-x', '.hidden', 'x'.repeat(64))) };
    case 'DIR':
      return { ok: fc.constant(join(sandbox, 'snap')), bad: fc.oneof(alwaysBad, fc.constantFrom(aFile, join(aFile, 'sub'), aDir)) };
    default:
      throw new Error(`positional ${name} of passthru ${command.name} is not covered here: add it.`);
  }
}

interface Case {
  argv: string[];
  bad: boolean;
  sandbox: string;
}

/** Options a command (with that action) takes, besides --help; vm's depend on the action. */
function optionsFor(command: CliCommand, action: string | undefined): string[] {
  const all = Object.keys(command.options).filter((n) => n !== 'help');
  if (command.name !== 'vm' || action === undefined) return all;
  const allowed = new Set([...(VM_ACTION_OPTIONS[action as keyof typeof VM_ACTION_OPTIONS] ?? []), 'json', 'config-dir', 'runtime-dir']);
  return all.filter((n) => allowed.has(n));
}

/**
 * A command line for `command`: its action (if it has some), some of its options, its
 * positionals — all with values that may well be fine — and, in most cases, exactly one value
 * swapped for one that is certainly bad input, so exit 2 can be required of it.
 */
function caseGen(command: CliCommand): fc.Arbitrary<Case> {
  const sandbox = join(base, 'runs', command.name);
  const actionGen = command.actions ? fc.constantFrom(...command.actions) : fc.constant(undefined);
  return actionGen.chain((action) => {
    const names = optionsFor(command, action);
    const optionGens = names.map((name) => {
      const option = command.options[name]!;
      if (option.type === 'boolean') return fc.option(fc.constant([`--${name}`]), { nil: undefined, freq: 2 });
      const values = optionValues(command, name, valueRule(command, name), sandbox);
      return fc.option(fc.array(values.ok, { minLength: 1, maxLength: option.multiple ? 2 : 1 }).map((vs) => vs.map((v) => `--${name}=${v}`)), { nil: undefined, freq: 2 });
    });
    const posNames = [...command.positionals, ...(command.optionalPositionals ?? [])].filter((p) => p !== 'ACTION');
    const posGens = posNames.map((p) => positionalValues(command, p, sandbox).ok);
    const slots = [
      ...names.filter((n) => command.options[n]!.type === 'string').map((n) => ({ kind: 'option' as const, name: n, bad: optionValues(command, n, valueRule(command, n), sandbox).bad })),
      ...posNames.map((p) => ({ kind: 'positional' as const, name: p, bad: positionalValues(command, p, sandbox).bad })),
      ...(command.actions ? [{ kind: 'positional' as const, name: 'ACTION', bad: fc.oneof(alwaysBad, fc.constantFrom('frobnicate', 'devices', 'STATUS')) }] : []),
    ];
    const fault = fc.option(fc.constantFrom(...slots).chain((slot) => slot.bad.map((value) => ({ slot, value }))), { nil: undefined, freq: 2 });
    return fc.tuple(fc.tuple(...optionGens), fc.tuple(...posGens), fc.boolean(), fault).map(([opts, pos, withOptionalPositional, f]) => {
      const flags = opts.flatMap((o) => o ?? []).filter((flag) => flag !== '--yes');
      let positionals = pos.slice(0, command.positionals.filter((p) => p !== 'ACTION').length + (withOptionalPositional ? 1 : 0));
      if (command.name === 'vm' && action === 'list') positionals = [];
      if (f?.slot.kind === 'option') {
        const others = flags.filter((flag) => !flag.startsWith(`--${f.slot.name}=`));
        flags.splice(0, flags.length, ...others, `--${f.slot.name}=${f.value}`);
      } else if (f && f.slot.name !== 'ACTION') {
        const i = posNames.indexOf(f.slot.name);
        positionals = [...positionals.slice(0, i), f.value, ...positionals.slice(i + 1)];
        while (positionals.length <= i) positionals.push(f.value);
      }
      const given = new Set(flags.map((flag) => flag.split('=')[0]));
      const takes = (n: string) => names.includes(n) && !given.has(`--${n}`);
      // Never a real change: write commands plan only; vm start only with --dry-run.
      const fixed = [
        ...(takes('dry-run') ? ['--dry-run'] : []),
        ...(takes('root') && command.name !== 'vm' ? [`--root=${seed}`] : []),
        ...(takes('state-dir') && command.name !== 'vm' ? [`--state-dir=${join(sandbox, 'state')}`] : []),
      ];
      const actionWord = f?.slot.name === 'ACTION' ? [f.value] : action === undefined ? [] : [action];
      return { argv: [command.name, ...flags, ...fixed, '--', ...actionWord, ...positionals], bad: f !== undefined, sandbox };
    });
  });
}

function runInSandbox(c: Case): { status: number | null; stdout: string; stderr: string } {
  rmSync(c.sandbox, { recursive: true, force: true });
  mkdirSync(join(c.sandbox, 'home'), { recursive: true });
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: join(c.sandbox, 'home'),
    XDG_CONFIG_HOME: join(c.sandbox, 'config'),
    XDG_STATE_HOME: join(c.sandbox, 'xdg-state'),
    XDG_RUNTIME_DIR: join(c.sandbox, 'runtime'),
    PASSTHRU_CONFIG_DIR: join(c.sandbox, 'vm-config'),
    PASSTHRU_RUNTIME_DIR: join(c.sandbox, 'vm-runtime'),
    PASSTHRU_RESTRICT_NAT: '1',
    LC_ALL: 'C.UTF-8',
  };
  const r = spawnSync(cli.path, c.argv, { cwd: c.sandbox, env, encoding: 'utf8', timeout: 30_000, input: '' });
  return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

function expectPlainAnswer(c: Case): void {
  const r = runInSandbox(c);
  const shown = `passthru ${c.argv.map((a) => JSON.stringify(a)).join(' ')}\n→ exit ${r.status}\n${r.stderr}${r.stdout.slice(0, 2000)}`;
  expect(r.status, `hung or killed: ${shown}`).not.toBeNull();
  expect([0, 2, 3, 4, 5], shown).toContain(r.status);
  const all = r.stdout + r.stderr;
  expect(all, shown).not.toMatch(/This is a bug|Unexpected error|\n\s+at .+:\d+:\d+\)?\n/);
  if (c.bad) expect(r.status, `bad input must be exit 2: ${shown}`).toBe(2);
  if (c.argv.includes('--json') && r.stdout !== '') expect(() => JSON.parse(r.stdout), shown).not.toThrow();
  if (r.status === 0) {
    // Nothing made of a number that is not one: 1e+23, NaN, Infinity.
    expect(all, shown).not.toMatch(/\d(\.\d+)?e\+\d|\bNaN\b|\bInfinity\b/);
    if (c.argv[0] === 'assign' && c.argv.includes('--json')) {
      const uid = (JSON.parse(r.stdout) as { options?: { ownerUid?: unknown } }).options?.ownerUid;
      expect(uid === null || (Number.isSafeInteger(uid) && (uid as number) >= 0 && (uid as number) <= 4294967294), shown).toBe(true);
    }
  }
}

describe('every option value of every command: exit 2 for bad input, never 1 (issue 13, class 9)', () => {
  it('every string option has a value rule', () => {
    for (const command of COMMANDS) {
      for (const [name, option] of Object.entries(command.options)) {
        if (option.type === 'string') expect(valueRule(command, name), `passthru ${command.name} --${name}`).toBeDefined();
      }
    }
  });

  it('the review\'s examples are exit 2', () => {
    const sandbox = join(base, 'runs', 'examples');
    for (const argv of [
      ['history', `--state-dir=${aFile}`, `--root=${seed}`],
      ['assign', '0000:01:00.0', '--dry-run', '--json', `--root=${seed}`, `--state-dir=${join(sandbox, 's')}`, '--owner', '99999999999999999999999'],
      ['vm', 'stop', 'x', '--timeout', '99999999999999999999'],
      ['vm', 'create', 'x', `--config-dir=${join(aFile, 'sub')}`],
      ['snapshot', join(aFile, 'x'), `--root=${seed}`],
      ['undo', '--journal', '', `--root=${seed}`, `--state-dir=${join(sandbox, 's')}`],
    ]) expectPlainAnswer({ argv, bad: true, sandbox });
  });

  for (const command of COMMANDS) {
    it(`passthru ${command.name}: random option values and arguments (fast-check)`, () => {
      fc.assert(fc.property(caseGen(command), expectPlainAnswer), { numRuns: command.name === 'vm' ? 60 : 30, endOnFailure: true });
    }, 300_000);
  }

  it('wrote nothing outside its temporary directories', () => {
    expect(watchedState()).toBe(before);
  });
});
