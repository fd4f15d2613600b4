import { describe, expect, it } from 'vitest';
import { PassthruError, type ErrorCode } from '#shared/errors';
import { CommandError } from '../host/exec/run-command';
import { parseCommandArgs, reportError, resolveRoot, wantsJson, type CliCommand, type CliIo } from './command-line';
import { main } from './main';

function capture(): CliIo & { stdout: string; stderr: string } {
  const io = {
    stdout: '',
    stderr: '',
    out: (t: string) => void (io.stdout += t),
    err: (t: string) => void (io.stderr += t),
  };
  return io;
}

const fake: CliCommand = {
  name: 'demo',
  summary: 'Demo.',
  usage: 'passthru demo ARG [--root DIR]',
  details: [],
  options: { root: { type: 'string' } },
  positionals: ['ARG'],
  run: async () => undefined,
};

describe('reportError: exit codes per the contract', () => {
  const cases: [ErrorCode, number][] = [
    ['BAD_INPUT', 2],
    ['REFUSED', 3],
    ['FAILED', 4],
    ['ENVIRONMENT', 5],
    ['INTERNAL', 1],
  ];
  for (const [code, exit] of cases) {
    it(`${code} exits ${exit}, as a sentence plus remedy on stderr or JSON on stdout`, () => {
      const err = new PassthruError(code, 'Something happened.', 'Do this.');
      const plain = capture();
      expect(reportError(err, false, plain)).toBe(exit);
      expect(plain.stdout).toBe('');
      expect(plain.stderr).toBe('passthru: Something happened. Do this.\n');
      const json = capture();
      expect(reportError(err, true, json)).toBe(exit);
      expect(json.stderr).toBe('');
      expect(JSON.parse(json.stdout)).toEqual({ error: { code, message: 'Something happened.', remedy: 'Do this.' } });
    });
  }

  it('a missing program is an environment problem (5); a failed one a failure (4)', () => {
    expect(reportError(new CommandError({ argv: ['ip', '-j'], failure: 'not-found' }), true, capture())).toBe(5);
    expect(reportError(new CommandError({ argv: ['ip', '-j'], failure: 'exit', exitCode: 1 }), true, capture())).toBe(4);
  });

  it('an unexpected exception is INTERNAL (1) with a bug-report remedy', () => {
    const io = capture();
    expect(reportError(new TypeError('x is undefined'), true, io)).toBe(1);
    expect(JSON.parse(io.stdout).error).toMatchObject({ code: 'INTERNAL', message: 'Unexpected error: x is undefined' });
  });
});

describe('parseCommandArgs', () => {
  it('accepts the declared options and positionals', () => {
    expect(parseCommandArgs(fake, ['x', '--root', '/tmp', '--json'])).toEqual({ values: { root: '/tmp', json: true }, positionals: ['x'] });
  });

  it('collects repeatable options into lists and accepts optional positionals', () => {
    const multi: CliCommand = { ...fake, options: { nic: { type: 'string', multiple: true } }, optionalPositionals: ['NAME'] };
    expect(parseCommandArgs(multi, ['x', '--nic', 'nat', '--nic', 'bridge:br0'])).toEqual({ values: {}, positionals: ['x'], lists: { nic: ['nat', 'bridge:br0'] } });
    expect(parseCommandArgs(multi, ['x', 'y'])).toEqual({ values: {}, positionals: ['x', 'y'], lists: { nic: [] } });
    expect(() => parseCommandArgs(multi, ['x', 'y', 'z'])).toThrow(/Unexpected argument 'z'/);
  });

  it('turns every usage problem into BAD_INPUT with a pointer to --help', () => {
    for (const argv of [['x', '--nope'], [], ['x', 'y'], ['x', '--root'], ['x', '--json=1']]) {
      let err: unknown;
      try {
        parseCommandArgs(fake, argv);
      } catch (e) {
        err = e;
      }
      expect(err, argv.join(' ')).toBeInstanceOf(PassthruError);
      expect((err as PassthruError).code).toBe('BAD_INPUT');
      expect((err as PassthruError).message).toMatch(/\.$/);
      expect((err as PassthruError).remedy).toBe('See `passthru demo --help` for usage.');
    }
  });

  it('lets --help through without the positionals', () => {
    expect(parseCommandArgs(fake, ['--help']).values.help).toBe(true);
  });
});

describe('helpers', () => {
  it('wantsJson looks only before --', () => {
    expect(wantsJson(['scan', '--json'])).toBe(true);
    expect(wantsJson(['scan', '--', '--json'])).toBe(false);
  });

  it('resolveRoot defaults to / and rejects what is not a directory', () => {
    expect(resolveRoot(undefined)).toBe('/');
    expect(() => resolveRoot('/definitely/not/here')).toThrow(/does not exist/);
    expect(() => resolveRoot('/proc/version')).toThrow(/not a directory/);
  });
});

describe('main (in-process)', () => {
  it('unknown top-level option with --json: JSON error, exit 2', async () => {
    const io = capture();
    expect(await main(['--frob', '--json'], io)).toBe(2);
    expect(JSON.parse(io.stdout).error).toMatchObject({ code: 'BAD_INPUT', message: "Unknown option '--frob'." });
  });

  it('help for each command', async () => {
    for (const name of ['scan', 'snapshot']) {
      const io = capture();
      expect(await main([name, '-h'], io)).toBe(0);
      expect(io.stdout).toContain(`Usage: passthru ${name}`);
    }
  });
});
