import { afterEach, describe, expect, it } from 'vitest';
import { rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { RootFs } from './fs/root-fs';
import { scanHost, scanSource } from './scan';
import { makeTempRoot } from './testing/network-test-tree';
import { FAKE_IP, FAKE_KERNEL, FAKE_PCI, writeFakeHost } from './testing/scan-test-host';
import { SNAPSHOT_MANIFEST_PATH, SNAPSHOT_FORMAT } from './snapshot-format';
import { checkScanContract } from './scan-contract';

const roots: string[] = [];
afterEach(() => {
  for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true });
});

function fakeHost(): string {
  const root = makeTempRoot('passthru-scan-');
  roots.push(root);
  writeFakeHost(root);
  return root;
}

describe('scanHost on a fake SR-IOV host', () => {
  it('assembles every part of the contract', async () => {
    const root = fakeHost();
    const scan = await scanHost(new RootFs(root));
    expect(checkScanContract(scan)).toEqual([]);
    expect(scan.schemaVersion).toBe(1);
    expect(scan.source).toEqual({ kind: 'snapshot', root, capturedAt: null, hostname: null });
    expect(scan.host.kernel).toBe(FAKE_KERNEL);
    expect(scan.devices.map((d) => d.address)).toEqual([...FAKE_PCI.map((d) => d.address)].sort());
    expect(scan.readiness.length).toBeGreaterThan(0);
  });

  it('lists each NIC on its PCI function, consistently with the interfaces', async () => {
    const scan = await scanHost(new RootFs(fakeHost()));
    const dev = Object.fromEntries(scan.devices.map((d) => [d.address, d]));
    expect(dev['0000:01:00.0']?.interfaces).toEqual(['enp1s0f0']);
    expect(dev['0000:01:10.0']?.interfaces).toEqual(['enp1s0f0v0']);
    expect(dev['0000:01:00.1']?.interfaces).toEqual([]);
    for (const d of scan.devices) {
      for (const name of d.interfaces) expect(scan.interfaces.find((i) => i.name === name)?.device).toBe(d.address);
    }
    for (const i of scan.interfaces) {
      if (i.device) expect(dev[i.device]?.interfaces).toContain(i.name);
    }
  });

  it('marks the bridge port carrying the default route as management, with the VF tree', async () => {
    const scan = await scanHost(new RootFs(fakeHost()));
    const net = Object.fromEntries(scan.interfaces.map((i) => [i.name, i]));
    expect(net.br0).toMatchObject({ kind: 'bridge', ports: ['enp1s0f0'], management: true, defaultRoute: { ipv4: true, ipv6: false } });
    expect(net.br0?.addresses[0]).toEqual({ family: 'ipv4', address: '192.168.1.10', prefixLength: 24, scope: 'global' });
    expect(net.enp1s0f0).toMatchObject({ kind: 'physical', master: 'br0', management: true, inUse: true, device: '0000:01:00.0', speedMbps: 1000 });
    expect(net.enp1s0f0v0).toMatchObject({ management: false, inUse: false, pfInterface: 'enp1s0f0', device: '0000:01:10.0' });
    expect(FAKE_IP.route4).toBeDefined();
  });

  it('reports a snapshot root as such, from its manifest', async () => {
    const root = fakeHost();
    mkdirSync(join(root, 'passthru-snapshot'), { recursive: true });
    writeFileSync(
      join(root, SNAPSHOT_MANIFEST_PATH),
      JSON.stringify({
        format: SNAPSHOT_FORMAT,
        formatVersion: 1,
        passthruVersion: '0.1.0',
        capturedAt: '2025-01-02T03:04:05.000Z',
        hostname: 'lab1',
        kernel: FAKE_KERNEL,
        kvmAccessible: true,
        ipState: 'iproute2',
        fileCount: 1,
      }),
    );
    const scan = await scanHost(new RootFs(root));
    expect(scan.source).toEqual({ kind: 'snapshot', root, capturedAt: '2025-01-02T03:04:05.000Z', hostname: 'lab1' });
    // The GUI's header asks for the source alone: the same answer, without a scan.
    expect(scanSource(new RootFs(root))).toEqual(scan.source);
    // What the capturing user could do with /dev/kvm survives in the manifest.
    expect(scan.host.kvmAccessible).toBe(true);
  });

  it('ignores a manifest that is not a Passthru one', async () => {
    const root = fakeHost();
    mkdirSync(join(root, 'passthru-snapshot'), { recursive: true });
    writeFileSync(join(root, SNAPSHOT_MANIFEST_PATH), '{"format":"something-else"}');
    expect((await scanHost(new RootFs(root))).source).toMatchObject({ kind: 'snapshot', capturedAt: null, hostname: null });
  });

  it('scans an empty root to empty lists rather than failing', async () => {
    const root = makeTempRoot();
    roots.push(root);
    const scan = await scanHost(new RootFs(root));
    expect(checkScanContract(scan)).toEqual([]);
    expect(scan.devices).toEqual([]);
    expect(scan.interfaces).toEqual([]);
  });
});
