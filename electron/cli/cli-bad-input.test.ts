/**
 * Bad input is the user's mistake, not a bug: any value of any option of any command, run
 * through the built binary, ends in a plain answer — exit 0, 2, 3, 4 or 5, never 1 ("This is a
 * bug"), never a stack trace, never a hang, never a plan built on nonsense — and a value known
 * to be bad (empty, control characters, numbers out of range or not whole, a file where a
 * directory goes, an unknown word) is exit 2. The options come from the commands themselves
 * (COMMANDS), so a new option is fuzzed the day it is added — and this test fails until its
 * value has a rule. Every run has its own HOME, XDG directories, working directory, journal and
 * VM directories under a temporary directory, the host tree is a copy of a fixture, write
 * commands only plan (--dry-run, or no --yes without a terminal), and the places Passthru
 * writes to on a real host are compared before and after.
 */
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCli, REPO_ROOT, type BuiltCli } from './testing/cli-test-support';
import { COMMANDS } from './main';
import { valueRule, type CliCommand } from './command-line';
import type { ValueRule } from './option-values';
import { ACTION_OPTIONS as VM_ACTION_OPTIONS } from './commands/vm';
import { hostileArg } from '#shared/testing/text-arbitraries';
import { hasControlChars } from '#shared/control-chars';
import { makeRig } from '../host/testing/apply-test-support';
import { ChangeService } from '../host/changes/change-service';

let cli: BuiltCli;
let base: string;
let seed: string;
let aFile: string;
let aDir: string;
let before: string;

/** Places Passthru writes to on a real host (and the repo's fixture): none may change. */
const WATCHED = [
  '/var/lib/passthru',
  '/etc/udev/rules.d',
  '/etc/modprobe.d',
  '/etc/modules-load.d',
  '/etc/default',
  '/etc/kernel',
  '/dev/vfio',
  '/run/passthru',
  '/root/.config/passthru',
  '/root/.local/state/passthru',
  '/run/user/0/passthru',
  join(REPO_ROOT, 'e2e/fixtures/seed'),
  join(REPO_ROOT, 'e2e/fixtures/many-vfs'),
];

function listing(path: string, depth = 0): string[] {
  let st;
  try {
    st = statSync(path);
  } catch {
    return [`${path} absent`];
  }
  const line = `${path} ${st.isDirectory() ? 'dir' : st.size} ${st.mtimeMs}`;
  if (!st.isDirectory() || depth > 6) return [line];
  return [
    line,
    ...readdirSync(path)
      .sort()
      .flatMap((n) => listing(join(path, n), depth + 1)),
  ];
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

/** Values for one option or positional: ones that may be fine, and examples certainly bad input. */
interface Values {
  ok: fc.Arbitrary<string>;
  /** Bad for this option in particular (besides ALWAYS_BAD). */
  badExamples: string[];
}

/** Any bad value for a slot: the ones bad for every value, and the slot's own. */
const badFor = (v: Values) => (v.badExamples.length ? fc.oneof(alwaysBad, fc.constantFrom(...v.badExamples)) : alwaysBad);

/** Bad for every value whatever its option: empty, control characters, longer than any path. */
const ALWAYS_BAD = ['', '\u001b[2J', 'a\u0007b', 'x\u009b1m', 'x\u202eevil', 'tab\there', 'line\nbreak', '\r', 'x'.repeat(5000)];
const alwaysBad = fc.oneof(fc.constantFrom(...ALWAYS_BAD), hostileArg.filter(hasControlChars));
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
  // serve's --port is a TCP port; bridge's --port an interface name (where "65536" is a name).
  'serve.port': ['65536', '99999'],
};

/** The out-of-range values of one command's option (a name may mean different things to two commands). */
const outOfRange = (command: string, name: string): string[] => OUT_OF_RANGE[`${command}.${name}`] ?? OUT_OF_RANGE[name] ?? [];

function optionValues(command: CliCommand, name: string, rule: ValueRule | undefined, sandbox: string): Values {
  const values = (ok: fc.Arbitrary<string>, ...bad: string[]): Values => ({ ok, badExamples: [...bad, ...outOfRange(command.name, name)] });
  switch (rule?.type) {
    case 'directory':
      return values(fc.constant(seed), aFile, join(aFile, 'sub'), '/dev/null', join(sandbox, 'missing'), `${aDir}/${'n'.repeat(300)}`);
    case 'directory-to-be':
      return values(
        fc.constantFrom(join(sandbox, 'state'), join(sandbox, 'fresh', 'dir'), 'relative-dir'),
        aFile,
        join(aFile, 'sub', 'deeper'),
        '/dev/null',
        '/proc/version',
        `${sandbox}/${'n'.repeat(300)}`,
      );
    case 'file':
      return values(fc.constant(aFile), aDir, join(sandbox, 'missing.img'), join(aFile, 'x'));
    case 'integer':
      return values(fc.oneof(fc.constantFrom(String(rule.min), String(rule.max)), fc.integer({ min: rule.min, max: rule.max }).map(String)), ...NOT_NUMBERS, '1.5');
    case 'decimal':
      return values(fc.constantFrom(String(rule.min), '1.5', '0.25', String(rule.max)), ...NOT_NUMBERS);
    case 'choice':
      return values(fc.constantFrom(...rule.values), 'maybe', 'ON', 'yes ', '0');
    case 'user':
      return values(fc.constantFrom('0', 'root', '65534', 'nobody', 'no-such-user'), '4294967296');
    case 'pattern':
    case 'text':
      return values(
        fc.oneof(fc.constantFrom('random', '02:00:00:00:00:01', 'nat', 'bridge:br0', 'passthrough:0000:01:00.0', 'enp1s0', '2026-01-01T00-00-00-000Z-1-1'), hostileArg),
      );
    default:
      throw new Error(`--${name} of passthru ${command.name} has no value rule: declare one (CliCommand.values or COMMON_VALUE_RULES).`);
  }
}

function positionalValues(command: CliCommand, name: string, sandbox: string): Values {
  switch (name) {
    case 'ACTION':
      return { ok: fc.constantFrom(...(command.actions ?? ['?'])), badExamples: ['frobnicate', 'devices', 'STATUS'] };
    case 'ADDRESS':
      return { ok: fc.oneof(fc.constantFrom('0000:01:00.0', '0000:00:00.0', '01:00.0', '0000:99:00.0', 'zzz', '0000:01:00.8'), hostileArg), badExamples: [] };
    case 'NAME':
      return { ok: fc.oneof(fc.constantFrom('vm1', 'a.b-c_d'), hostileArg), badExamples: ['a b', '-x', '.hidden', 'x'.repeat(64)] };
    case 'DIR':
      return { ok: fc.constant(join(sandbox, 'snap')), badExamples: [aFile, join(aFile, 'sub'), aDir] };
    default:
      throw new Error(`positional ${name} of passthru ${command.name} is not covered here: add it.`);
  }
}

interface Case {
  argv: string[];
  bad: boolean;
  sandbox: string;
  /** Keep what earlier runs left in the sandbox (a VM profile, a journal); default: start empty. */
  keep?: boolean;
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
      return fc.option(
        fc.array(values.ok, { minLength: 1, maxLength: option.multiple ? 2 : 1 }).map((vs) => vs.map((v) => `--${name}=${v}`)),
        { nil: undefined, freq: 2 },
      );
    });
    const posNames = [...command.positionals, ...(command.optionalPositionals ?? [])].filter((p) => p !== 'ACTION');
    const posGens = posNames.map((p) => positionalValues(command, p, sandbox).ok);
    const slots = [
      ...names
        .filter((n) => command.options[n]!.type === 'string')
        .map((n) => ({ kind: 'option' as const, name: n, bad: badFor(optionValues(command, n, valueRule(command, n), sandbox)) })),
      ...posNames.map((p) => ({ kind: 'positional' as const, name: p, bad: badFor(positionalValues(command, p, sandbox)) })),
      ...(command.actions ? [{ kind: 'positional' as const, name: 'ACTION', bad: badFor(positionalValues(command, 'ACTION', sandbox)) }] : []),
    ];
    const fault = fc.option(
      fc.constantFrom(...slots).chain((slot) => slot.bad.map((value) => ({ slot, value }))),
      { nil: undefined, freq: 2 },
    );
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
  if (!c.keep) rmSync(c.sandbox, { recursive: true, force: true });
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
      const uid = (JSON.parse(r.stdout) as { detail?: { ownerUid?: unknown } }).detail?.ownerUid;
      expect(uid === null || (Number.isSafeInteger(uid) && (uid as number) >= 0 && (uid as number) <= 4294967294), shown).toBe(true);
    }
  }
}

/** The bad examples a sweep tries on one slot: two bad for any value, then the slot's own (all out-of-range ones). */
function sweepExamples(command: string, name: string, v: Values): string[] {
  const range = outOfRange(command, name);
  const own = v.badExamples.filter((x) => !range.includes(x)).slice(0, 3);
  return ['', 'x\u001b[2J', ...own, ...range];
}

let sweepRuns = 0;

/**
 * A command line that runs fine (exit 0, 3, 4 or 5 — checked) but for the slot under test: an
 * action and options that go together, and what they need to exist (a VM, a journal).
 */
function sweepBase(command: CliCommand, slot: string, sandbox: string, journal: string[]): { action?: string; flags: string[]; positionals: string[] } {
  const common = [`--root=${seed}`, `--state-dir=${join(sandbox, 'state')}`, '--dry-run'];
  switch (command.name) {
    case 'scan':
      return { flags: [`--root=${seed}`], positionals: [] };
    case 'snapshot':
      return { flags: [`--root=${seed}`], positionals: [join(sandbox, `snap-${++sweepRuns}`)] };
    case 'assign':
    case 'release':
      return { flags: common, positionals: ['0000:01:00.0'] };
    case 'sriov':
      // VF settings need a PF with VFs: the many-vfs fixture's (read only: plans are dry runs).
      return ['vf', 'mac', 'vlan', 'qos', 'trust', 'spoofchk', 'state'].includes(slot)
        ? {
            flags: [`--root=${join(REPO_ROOT, 'e2e/fixtures/many-vfs')}`, `--state-dir=${join(sandbox, 'state')}`, '--dry-run', '--vf=0', '--trust=on'],
            positionals: ['0000:02:00.0'],
          }
        : { flags: [...common, '--vfs=2'], positionals: ['0000:01:00.0'] };
    case 'iommu':
      return { action: 'enable', flags: common, positionals: [] };
    case 'history':
      return { flags: [`--root=${seed}`, `--state-dir=${join(sandbox, 'state')}`], positionals: [] };
    case 'serve':
      // --dry-run checks every option and exits; without it the server would run until stopped.
      return { flags: [`--root=${seed}`, `--state-dir=${join(sandbox, 'state')}`, '--dry-run'], positionals: [] };
    case 'install-helper':
      // Only ever a dry run into a tree: as root, a real run would install on this machine.
      return { flags: [`--root=${seed}`, '--dry-run'], positionals: [] };
    case 'undo':
      return { flags: [...journal, '--dry-run'], positionals: [] };
    case 'vm': {
      const action =
        slot === 'NAME' ? 'status' : slot === 'ACTION' ? 'list' : ((['create', 'stop', 'start', 'export'] as const).find((a) => VM_ACTION_OPTIONS[a].includes(slot)) ?? 'list');
      const flags = action === 'start' ? ['--dry-run'] : action === 'export' ? ['--format=script'] : [];
      // create makes a new VM each time; the others act on vm1, made before the sweep.
      return { action, flags, positionals: action === 'list' ? [] : [action === 'create' ? `new${++sweepRuns}` : 'vm1'] };
    }
    case 'bridge':
      // A plan only (the seed tree has no ifupdown stanza for the NIC: refused, exit 3).
      return { action: 'create', flags: [...common, '--port=eth0'], positionals: ['br0'] };
    case 'confirm':
      // Nothing waits for a confirmation in the journal: refused, exit 3.
      return { flags: [...journal, '--dry-run'], positionals: [] };
    case 'revert-timer':
      // No such change in the journal: the timer has nothing to do and ends at once.
      return { flags: [...journal, '--journal=none-such'], positionals: [] };
    default:
      throw new Error(`no sweep base for passthru ${command.name}: add one.`);
  }
}

/** The sweep for one command: every option and positional, each with each kind of bad value. */
function sweep(command: CliCommand, journal: string[]): void {
  const sandbox = join(base, 'runs', `${command.name}-sweep`);
  rmSync(sandbox, { recursive: true, force: true });
  if (command.name === 'vm') expect(runInSandbox({ argv: ['vm', 'create', 'vm1'], bad: false, sandbox, keep: true }).status).toBe(0);
  const run = (slot: string, argv: string[], isBad: boolean) => expectPlainAnswer({ argv, bad: isBad, sandbox, keep: true });
  const slots = [
    ...Object.keys(command.options)
      .filter((n) => command.options[n]!.type === 'string')
      .map((n) => ({ name: n, values: optionValues(command, n, valueRule(command, n), sandbox) })),
    ...[...command.positionals, ...(command.optionalPositionals ?? [])].map((p) => ({ name: p, values: positionalValues(command, p, sandbox) })),
  ];
  for (const slot of slots) {
    const line = (value?: string) => {
      const b = sweepBase(command, slot.name, sandbox, journal);
      const flags = value === undefined ? b.flags : b.flags.filter((f) => !f.startsWith(`--${slot.name}=`));
      if (value !== undefined && slot.name === slot.name.toLowerCase()) flags.push(`--${slot.name}=${value}`);
      const action = slot.name === 'ACTION' && value !== undefined ? [value] : b.action ? [b.action] : [];
      const names = [...command.positionals, ...(command.optionalPositionals ?? [])].filter((p) => p !== 'ACTION');
      const positionals = value !== undefined && names.includes(slot.name) ? names.map((p, i) => (p === slot.name ? value : (b.positionals[i] ?? 'vm1'))) : b.positionals;
      return [command.name, ...flags, '--', ...action, ...positionals];
    };
    // The line without the bad value must not be exit 2 itself, or the sweep would prove nothing.
    const baseLine = line();
    const r = runInSandbox({ argv: baseLine, bad: false, sandbox, keep: true });
    expect(r.status, `the sweep's base line for ${slot.name} is bad input itself: passthru ${baseLine.join(' ')}\n${r.stderr}${r.stdout.slice(0, 500)}`).not.toBe(2);
    for (const value of sweepExamples(command.name, slot.name, slot.values)) run(slot.name, line(value), true);
  }
}

describe('every option value of every command: exit 2 for bad input, never 1', () => {
  it('every string option has a value rule', () => {
    for (const command of COMMANDS) {
      for (const [name, option] of Object.entries(command.options)) {
        if (option.type === 'string') expect(valueRule(command, name), `passthru ${command.name} --${name}`).toBeDefined();
      }
    }
  });

  it("the review's examples are exit 2", () => {
    const sandbox = join(base, 'runs', 'examples');
    for (const argv of [
      ['history', `--state-dir=${aFile}`, `--root=${seed}`],
      ['assign', '0000:01:00.0', '--dry-run', '--json', `--root=${seed}`, `--state-dir=${join(sandbox, 's')}`, '--owner', '99999999999999999999999'],
      ['vm', 'stop', 'x', '--timeout', '99999999999999999999'],
      ['vm', 'create', 'x', `--config-dir=${join(aFile, 'sub')}`],
      ['snapshot', join(aFile, 'x'), `--root=${seed}`],
      ['undo', '--journal', '', `--root=${seed}`, `--state-dir=${join(sandbox, 's')}`],
    ])
      expectPlainAnswer({ argv, bad: true, sandbox });
  });

  for (const command of COMMANDS) {
    it(`passthru ${command.name}: every option and argument, each with each kind of bad value`, async () => {
      // undo needs an applied change to undo: one made by the real engine on a fake host.
      const rig = makeRig();
      const svc = new ChangeService({ root: rig.root, stateDir: rig.stateDir, runCommand: rig.runner, writer: rig.kernel.writer });
      expect((await svc.apply((await svc.planChange({ kind: 'assign', address: '0000:01:10.0' })).id, {})).ok).toBe(true);
      sweep(command, [`--root=${rig.root}`, `--state-dir=${rig.stateDir}`]);
    }, 300_000);

    it(`passthru ${command.name}: random option values and arguments (fast-check)`, () => {
      fc.assert(fc.property(caseGen(command), expectPlainAnswer), { numRuns: command.name === 'vm' ? 40 : 20, endOnFailure: true });
    }, 300_000);
  }

  it('wrote nothing outside its temporary directories', () => {
    expect(watchedState()).toBe(before);
  });
});
