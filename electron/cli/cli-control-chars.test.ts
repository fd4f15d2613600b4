/**
 * Host text in the terminal (CLI side): host data is printed with its control characters made
 * visible, so no hostname or driver name can make the terminal act instead of show. A copy of
 * the seed fixture gets a hostname, an interface name, a driver name and a kernel release
 * holding escape sequences (ESC, CSI U+009B, other C0/C1, DEL, bidi overrides and isolates), a
 * journal gets step titles and errors holding them, a VM profile file holds them; then every
 * printing command — scan, snapshot, assign/release/sriov/iommu plans, history, undo, vm list —
 * runs as the built binary, in text and in JSON. No raw ESC, CSI, C1 or bidi character may
 * reach stdout or stderr; JSON output must stay JSON; and the host data must still be there,
 * escaped, where it is shown.
 */
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { visibleControls } from '#shared/control-chars';
import { ESCAPE_SEQUENCES, hostileText } from '#shared/testing/text-arbitraries';
import { makeRig } from '../host/testing/apply-test-support';
import { ChangeService } from '../host/changes/change-service';
import { buildCli, REPO_ROOT, runCli, type BuiltCli } from './testing/cli-test-support';
import { hostileSeedTree, taintJournal } from '../../e2e/support/hostile-host';

let cli: BuiltCli;
let base: string;

beforeAll(async () => {
  cli = await buildCli();
  base = fs.mkdtempSync(join(tmpdir(), 'passthru-ctl-'));
}, 60_000);

afterAll(() => {
  cli?.dispose();
  if (base) fs.rmSync(base, { recursive: true, force: true });
});

interface Hostile {
  hostname: string;
  iface: string;
  driver: string;
  kernel: string;
  title: string;
}

/** A file name (what sysfs names are): no slash, no NUL, not . or .., at most 255 bytes; trimmed, as the probes read them. */
const fileNamePart = hostileText.map((t) => t.replace(/[/\0\n]/g, '').trim()).filter((t) => t !== '' && t !== '.' && t !== '..' && Buffer.byteLength(t) < 120);
const withAnEscape = (arb: fc.Arbitrary<string>) => fc.tuple(arb, fc.constantFrom(...ESCAPE_SEQUENCES.map((e) => e.replace(/\//g, '')))).map(([t, e]) => `${t}${e}x`);

/** Builds the hostile host tree, journal and VM directory; returns what the commands take. */
async function hostileHost(h: Hostile, n: number) {
  const dir = join(base, `case-${n}`);
  const root = hostileSeedTree(join(REPO_ROOT, 'e2e/fixtures/seed'), join(dir, 'root'), h);

  // A journal made by the real engine, then its titles, errors and kinds rewritten.
  const rig = makeRig();
  const svc = new ChangeService({ root: rig.root, stateDir: rig.stateDir, runCommand: rig.runner, writer: rig.kernel.writer });
  const applied = await svc.apply((await svc.planChange({ kind: 'assign', address: '0000:01:10.0' })).id, {});
  expect(applied.ok).toBe(true);
  taintJournal(rig.stateDir, h.title);

  // A VM profile that is not JSON: its parse error quotes it back.
  const vmConfig = join(dir, 'vm-config');
  fs.mkdirSync(join(vmConfig, 'vms'), { recursive: true });
  fs.writeFileSync(join(vmConfig, 'vms', 'bad.json'), `${h.title}{`);
  return { dir, root, journal: ['--root', rig.root, '--state-dir', rig.stateDir], vm: ['--config-dir', vmConfig, '--runtime-dir', join(dir, 'vm-run')] };
}

// Written out here rather than taken from control-chars.ts: the test's own list of what must not pass.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const RAW = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

function expectNeutral(args: string[], json: boolean): string {
  const r = runCli(cli, args);
  const shown = `passthru ${args.join(' ')} → ${r.status}\n${JSON.stringify(r.stderr.slice(0, 500))}`;
  expect(r.status, shown).not.toBeNull();
  expect(r.status, shown).not.toBe(1);
  const rawOut = RAW.exec(r.stdout);
  const rawErr = RAW.exec(r.stderr);
  expect(rawOut && `raw U+${rawOut[0].charCodeAt(0).toString(16)} on stdout`, shown).toBeNull();
  expect(rawErr && `raw U+${rawErr[0].charCodeAt(0).toString(16)} on stderr`, shown).toBeNull();
  if (json && r.stdout !== '') expect(() => JSON.parse(r.stdout), shown).not.toThrow();
  return r.stdout + r.stderr;
}

describe('host text reaches the terminal with its control characters made visible', () => {
  let n = 0;
  const check = async (h: Hostile) => {
    const { dir, root, journal, vm } = await hostileHost(h, ++n);
    const state = ['--state-dir', join(dir, 'state')];
    const scan = expectNeutral(['scan', '--root', root], false);
    // What the scan prints of the host is there, escaped rather than dropped.
    expect(scan).toContain(visibleControls(h.hostname));
    expect(scan).toContain(visibleControls(h.driver));
    expect(scan).toContain(visibleControls(h.iface));
    expect(scan).toContain(visibleControls(h.kernel));
    const scanJson = JSON.parse(expectNeutral(['scan', '--root', root, '--json'], true)) as { source: { hostname: string | null } };
    expect(scanJson.source.hostname).toBe(h.hostname);
    const snap = expectNeutral(['snapshot', join(dir, 'snap'), '--root', root], false);
    expect(snap).toContain(visibleControls(h.hostname));
    for (const json of [false, true]) {
      const j = json ? ['--json'] : [];
      expectNeutral(['assign', '0000:01:00.0', '--dry-run', '--root', root, ...state, ...j], json);
      expectNeutral(['release', '0000:01:00.0', '--dry-run', '--root', root, ...state, ...j], json);
      expectNeutral(['sriov', '0000:01:00.0', '--vfs', '2', '--dry-run', '--root', root, ...state, ...j], json);
      expectNeutral(['iommu', 'status', '--root', root, ...j], json);
      expectNeutral(['undo', '--dry-run', ...journal, ...j], json);
      expectNeutral(['vm', 'list', ...vm, ...j], json);
      const history = expectNeutral(['history', ...journal, ...j], json);
      if (!json) expect(history).toContain(visibleControls(h.title));
      else expect(JSON.stringify(JSON.parse(history))).toContain(JSON.stringify(h.title).slice(1, -1));
    }
  };

  it("the review's examples: a screen-clearing hostname, a window-retitling interface, a bidi journal title", async () => {
    await check({
      hostname: 'host\u001b[2J\u001b[H',
      iface: 'eth\u001b]0;pwned\u0007',
      driver: 'ig\u009b31mb',
      kernel: '6.1\u202e-evil',
      title: 'step \u001b]2;title\u001b\\ \u2066x\u2069',
    });
  }, 120_000);

  it('any such text, in every printing command (fast-check)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          hostname: withAnEscape(fileNamePart),
          iface: withAnEscape(fileNamePart),
          driver: withAnEscape(fileNamePart),
          kernel: withAnEscape(fileNamePart),
          title: withAnEscape(hostileText),
        }),
        check,
      ),
      { numRuns: 6, endOnFailure: true },
    );
  }, 600_000);
});
