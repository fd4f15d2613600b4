/**
 * The VM service while the GUI shows a snapshot: a preview is a rehearsal against the
 * snapshot's devices, bridges and KVM; a profile saved then says which snapshot it was made
 * against; nothing starts until the app is back on the live host. On the live host, nothing of
 * that shows.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PassthruError } from '#shared/errors';
import type { VmProfile } from '#shared/vm';
import { fixtureWithBridges } from '../../../e2e/support/bridged-host';
import { ChangeService } from '../changes/change-service';
import { VmService } from './vm-service';

const fixture = (name: string) => fileURLToPath(new URL(`../../../e2e/fixtures/${name}`, import.meta.url));
/** When the fixture was captured, as its manifest says (fixtures are captured again with the lab's kernel). */
const capturedAt = (name: string): string => (JSON.parse(readFileSync(join(fixture(name), 'passthru-snapshot', 'manifest.json'), 'utf8')) as { capturedAt: string }).capturedAt;

let dir = '';
let shown = '/';
let vms: VmService;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'vm-service-'));
  shown = '/';
  vms = new VmService({
    dirs: { configDir: join(dir, 'cfg'), runtimeDir: join(dir, 'run') },
    restrictNat: true,
    // This machine's choice; a snapshot's KVM comes from the snapshot.
    accel: 'tcg',
    changes: new ChangeService({ root: '/', stateDir: join(dir, 'state') }),
    shownRoot: () => shown,
  });
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const profile = (over: Partial<VmProfile> = {}): VmProfile => ({
  name: 'web',
  cpus: 1,
  memoryMiB: 256,
  firmware: 'seabios',
  machine: 'q35',
  disks: [],
  iso: null,
  display: 'none',
  nics: [{ kind: 'nat' }],
  createdAt: '2026-01-01T00:00:00.000Z',
  ...over,
});

describe('VmService on a snapshot', () => {
  it('previews against the snapshot: its VF and bridge pass, its management NIC is refused, KVM as it recorded, the start refused', async () => {
    shown = fixtureWithBridges(fixture('many-vfs'), join(dir, 'many-vfs'), ['br0']);
    const preview = await vms.preview(
      profile({
        nics: [
          { kind: 'passthrough', address: '0000:01:10.0' },
          { kind: 'bridge', bridge: 'br0' },
          { kind: 'passthrough', address: '0000:05:00.0' },
        ],
      }),
    );
    expect(preview.against).toEqual({ hostname: 'lab-many-vfs', capturedAt: capturedAt('many-vfs'), root: shown });
    expect(preview.startRefused).toContain('VMs run on this machine, not on lab-many-vfs');
    const byId = Object.fromEntries(preview.checks.map((c) => [c.id, c]));
    expect(byId.host).toMatchObject({ status: 'fail' });
    // The VF is on igbvf in the snapshot: one assign away, offered as such.
    expect(byId['nic0-driver']).toMatchObject({ status: 'fail', fix: { kind: 'assign', address: '0000:01:10.0', wholeGroup: false } });
    expect(byId['nic0-driver']!.detail).toContain('is on igbvf');
    expect(byId['nic1-bridge']).toMatchObject({ status: 'pass', detail: 'br0 is a bridge on lab-many-vfs (the snapshot).' });
    expect(byId['nic2-host-needs']).toMatchObject({ status: 'fail' });
    expect(byId['nic2-host-needs']!.detail).toContain('default IPv4 and IPv6 route (enp5s0)');
    expect(byId.memlock).toMatchObject({ status: 'warn' });
    // lab-many-vfs had no /dev/kvm: TCG, said for that host, whatever this machine has.
    expect(preview.accel).toBe('tcg');
    expect(preview.notes[0]).toMatch(/^lab-many-vfs had no \/dev\/kvm when the snapshot was taken/);
    expect(preview.argv).toContain('vfio-pci,host=0000:01:10.0,id=nic0');
    expect(preview.shell).toContain('accel=tcg');
  });

  it("takes KVM from the snapshot's facts, not from this machine (forced to TCG here)", async () => {
    shown = fixture('this-machine');
    const preview = await vms.preview(profile());
    expect(preview.accel).toBe('kvm');
    expect(preview.argv).toEqual(expect.arrayContaining(['-cpu', 'host']));
    expect(preview.notes[0]).toContain('/dev/kvm on vm could be opened read-write by the user who took the snapshot');
  });

  it('saves a profile labelled with the snapshot it was made against, and refuses to start it until back on the live host', async () => {
    shown = fixture('seed');
    const saved = await vms.create(profile());
    expect(saved.madeAgainst).toEqual({ hostname: 'lab-seed', capturedAt: capturedAt('seed'), root: shown });
    expect(JSON.parse(readFileSync(join(dir, 'cfg', 'vms', 'web.json'), 'utf8')).madeAgainst.hostname).toBe('lab-seed');
    const refused = await vms.start('web').catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(PassthruError);
    expect(refused).toMatchObject({ code: 'REFUSED', remedy: 'Click "Back to live host", then start it.' });
    expect((refused as Error).message).toBe('The app is showing a snapshot of lab-seed. VMs run on this machine, not on lab-seed: go back to the live host to start one.');
    expect(existsSync(join(dir, 'run', 'web'))).toBe(false);
  });

  it('on the live host: no rehearsal, no label (a label sent by the renderer is dropped), previews read this machine', async () => {
    const saved = await vms.create(profile({ madeAgainst: { hostname: 'forged', capturedAt: null, root: '/tmp' } }));
    expect(saved.madeAgainst).toBeUndefined();
    const preview = await vms.preview(profile({ name: 'web2' }));
    expect(preview).toMatchObject({ against: null, startRefused: null, accel: 'tcg' });
    expect(preview.checks.some((c) => c.id === 'host')).toBe(false);
    expect(preview.notes[0]).toBe('TCG was asked for: qemu emulates the CPU (slower than KVM).');
  });
});
