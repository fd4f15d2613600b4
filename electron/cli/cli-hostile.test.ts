/**
 * A tree of files may be crafted to lead Passthru out of it; this runs the built binary against
 * such hostile trees: `assign` and `sriov --vf` on a tree never run a command on this machine
 * (a fake modprobe and ip first on PATH record any attempt) and write nothing outside it;
 * `iommu enable` refuses a tree whose links lead out; `scan` and `snapshot` finish on a FIFO, a
 * device node or a huge file and say what they refused; a snapshot never goes to /proc or into
 * someone else's directory. Each run has a timeout, so a hang fails the test instead of
 * stalling the suite.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildFakeHost, labHostSpec, makeTempRoot } from '../host/testing/fake-sysfs';
import { hostileBase, outsideState, type HostileBase } from '../host/testing/hostile-tree';
import { IOMMU_TESTDATA } from '../host/testing/iommu-roots';
import { buildCli, REPO_ROOT, runCli, type BuiltCli, type CliRun } from './testing/cli-test-support';

const VF = '0000:01:10.0';
const PF = '0000:01:00.0';
const TIMEOUT = 30_000;

let cli: BuiltCli;
let bin: string;
let record: string;

beforeAll(async () => {
  cli = await buildCli();
  // Stand-ins for the commands that act on this machine's kernel: they only say they were run.
  bin = makeTempRoot('passthru-fake-bin-');
  record = path.join(bin, 'invocations');
  for (const tool of ['modprobe', 'ip', 'chroot']) {
    fs.writeFileSync(path.join(bin, tool), `#!/bin/sh\necho "${tool} $*" >> "${record}"\nexit 0\n`, { mode: 0o755 });
  }
}, 60_000);
afterAll(() => {
  cli?.dispose();
  fs.rmSync(bin, { recursive: true, force: true });
});

const open: HostileBase[] = [];
afterEach(() => {
  for (const b of open.splice(0)) b.dispose();
  fs.rmSync(record, { force: true });
});

function run(args: string[]): CliRun {
  return runCli(cli, args, undefined, { env: { PATH: `${bin}:${process.env.PATH ?? ''}` }, timeoutMs: TIMEOUT });
}

function invocations(): string[] {
  return fs.existsSync(record) ? fs.readFileSync(record, 'utf8').trim().split('\n') : [];
}

/** Every entry under dir, with bytes and link targets. */
function listing(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const abs = path.join(d, e.name);
      if (e.isSymbolicLink()) out[abs] = `-> ${fs.readlinkSync(abs)}`;
      else if (e.isDirectory()) walk(abs);
      else out[abs] = e.isFile() ? fs.readFileSync(abs).toString('base64') : 'special';
    }
  };
  walk(dir);
  return out;
}

/** The lab host in a hostile base, without vfio-pci loaded (so an assign starts with modprobe). */
function labTree(): HostileBase {
  const b = hostileBase();
  open.push(b);
  buildFakeHost({ ...labHostSpec(), loadedModules: ['vfio', 'vfio_iommu_type1', 'igb'] }, b.root);
  fs.writeFileSync(path.join(b.root, 'sys/bus/pci/drivers/igbvf/unbind'), '');
  return b;
}

describe('write commands on a tree never act on this machine', () => {
  for (const kind of ['absolute', 'dotdot'] as const) {
    it(`assign --yes --root T with ${kind} links out: exit 5 naming the command, no modprobe, nothing written`, () => {
      const b = labTree();
      b.linkOut('/sys/bus/pci/drivers/igbvf/unbind', kind, 'file');
      const state = makeTempRoot('passthru-cli-hostile-state-');
      const outside = outsideState(b);
      const inside = listing(b.root);
      const r = run(['assign', VF, '--yes', '--persist', '--root', b.root, '--state-dir', state]);
      expect(r.status, r.stderr).toBe(5);
      expect(r.stderr).toMatch(/is a tree of files, not a running system, so Passthru does not run `(modprobe vfio-pci|echo .+)` for it/);
      expect(invocations()).toEqual([]);
      expect(outsideState(b)).toEqual(outside);
      expect(listing(b.root)).toEqual(inside);
      expect(fs.readdirSync(state)).toEqual([]);
    });
  }

  it('sriov --vf --mac --yes --root T: exit 5 naming the ip command, and ip never runs', () => {
    // A real igb PF with its VF table as iproute2 reported it (captured by the lab).
    const b = hostileBase();
    open.push(b);
    fs.cpSync(path.join(REPO_ROOT, 'e2e/fixtures/many-vfs'), b.root, { recursive: true, verbatimSymlinks: true });
    const inside = listing(b.root);
    const r = run(['sriov', PF, '--vf', '0', '--mac', '02:00:00:00:00:01', '--yes', '--root', b.root, '--state-dir', makeTempRoot('passthru-cli-hostile-state-')]);
    expect(r.status, r.stderr + r.stdout).toBe(5);
    expect(r.stderr).toContain(`ip link set dev "$(ls /sys/bus/pci/devices/${PF}/net)" vf 0 mac 02:00:00:00:00:01`);
    expect(invocations()).toEqual([]);
    expect(listing(b.root)).toEqual(inside);
  });

  for (const kind of ['absolute', 'dotdot'] as const) {
    it(`iommu enable --yes --root T with etc/default/grub.d a ${kind} link out: exit 2 naming it, nothing written or run`, () => {
      const b = hostileBase();
      open.push(b);
      fs.cpSync(path.join(IOMMU_TESTDATA, 'debian12'), b.root, { recursive: true });
      b.linkOut('/etc/default/grub.d', kind);
      const outside = outsideState(b);
      const inside = listing(b.root);
      const r = run(['iommu', 'enable', '--yes', '--root', b.root, '--state-dir', makeTempRoot('passthru-cli-hostile-state-')]);
      expect(r.status, r.stderr).toBe(2);
      expect(r.stderr).toMatch(/etc\/default\/grub\.d is a link to .*(leads out of|does not exist inside)/);
      expect(outsideState(b)).toEqual(outside);
      expect(listing(b.root)).toEqual(inside);
      expect(invocations()).toEqual([]);
    });
  }
});

describe('scan and snapshot of a tree holding special or huge files finish, and say what they refused', () => {
  const attr = `/sys/bus/pci/devices/${VF}/uevent`;
  const cases: { what: string; make: (file: string) => void; says: RegExp }[] = [
    { what: 'a FIFO', make: (f) => execFileSync('mkfifo', [f]), says: /uevent is a FIFO \(named pipe\)/ },
    { what: 'a device node', make: (f) => execFileSync('mknod', [f, 'c', '1', '5']), says: /uevent is a character device/ },
  ];
  for (const c of cases) {
    it(`${c.what} where a file is read`, () => {
      const b = labTree();
      const file = fs.realpathSync(b.root + attr);
      fs.rmSync(file);
      c.make(file);
      const scan = run(['scan', '--root', b.root]);
      expect(scan.status, scan.stderr).toBe(2);
      expect(scan.stderr).toMatch(c.says);
      const dest = path.join(b.base, 'snap');
      const snap = run(['snapshot', dest, '--root', b.root]);
      expect(snap.status, snap.stderr).toBe(2);
      expect(snap.stderr).toMatch(c.says);
      expect(fs.existsSync(dest)).toBe(false);
    });
  }

  it('a huge (sparse) pci.ids', () => {
    const b = labTree();
    const ids = fs.realpathSync(path.join(b.root, 'usr/share/misc/pci.ids'));
    fs.truncateSync(ids, 8 * 1024 * 1024 * 1024);
    const scan = run(['scan', '--root', b.root]);
    expect(scan.status, scan.stderr).toBe(2);
    expect(scan.stderr).toMatch(/pci\.ids is larger than 16 MiB/);
  });
});

describe('snapshot destinations', () => {
  it('/proc/self/x: exit 2 at once, no spinning', () => {
    const b = labTree();
    const started = Date.now();
    const r = run(['snapshot', '/proc/self/x', '--root', b.root]);
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/is on \/proc/);
    expect(Date.now() - started).toBeLessThan(TIMEOUT);
  });

  it('an empty directory owned by someone else: exit 2, nothing written in it', () => {
    const b = labTree();
    const dest = path.join(b.base, 'theirs');
    fs.mkdirSync(dest);
    fs.chownSync(dest, 4321, 4321);
    const r = run(['snapshot', dest, '--root', b.root]);
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/belongs to user 4321/);
    expect(fs.readdirSync(dest)).toEqual([]);
  });

  it('a file, or a directory that is not empty: exit 2 with the remedy', () => {
    const b = labTree();
    const file = path.join(b.base, 'file');
    fs.writeFileSync(file, 'x');
    const r = run(['snapshot', file, '--root', b.root]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/is not a directory\. (Give a directory|Choose a new directory name)/);
    fs.mkdirSync(path.join(b.base, 'full'));
    fs.writeFileSync(path.join(b.base, 'full', 'x'), 'x');
    expect(run(['snapshot', path.join(b.base, 'full'), '--root', b.root]).stderr).toMatch(/not empty.*Choose a new or empty directory/);
  });
});
