import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { derivedVmMac, vmProfileSchema, type VmProfile } from '#shared/vm';
import { exportLibvirtXml, pciAddressAttributes } from './export-libvirt';
import { exportShellScript } from './export-script';
import { buildQemuArgv } from './qemu-argv';

const dir = mkdtempSync(join(tmpdir(), 'libvirt-xml-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function profile(over: Partial<VmProfile> = {}): VmProfile {
  return vmProfileSchema.parse({
    name: 'router-1',
    cpus: 4,
    memoryMiB: 8192,
    firmware: 'ovmf',
    machine: 'q35',
    disks: [
      { path: "/var/lib/vm/a,b & <c>'s.qcow2", format: 'qcow2' },
      { path: '/var/lib/vm/-x.img', format: 'raw' },
    ],
    iso: '/iso/debian.iso',
    display: 'vnc',
    nics: [{ kind: 'passthrough', address: '0000:01:10.2' }, { kind: 'bridge', bridge: 'br0' }, { kind: 'nat' }],
    createdAt: '2025-01-01T00:00:00.000Z',
    ...over,
  });
}

/** virt-xml-validate from libvirt-clients: CI installs it, so a missing one is a failure, not a skip. */
function validate(xml: string, name: string): { status: number | null; output: string } {
  const file = join(dir, `${name}.xml`);
  writeFileSync(file, xml);
  const r = spawnSync('virt-xml-validate', [file, 'domain'], { encoding: 'utf8' });
  if (r.error) throw new Error(`virt-xml-validate could not run (${r.error.message}): install libvirt-clients (.ci/install-system-packages).`);
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

describe('exportLibvirtXml', () => {
  it('writes hostdev, bridge, network, disks, cdrom, efi, KiB memory', () => {
    const xml = exportLibvirtXml(profile());
    expect(xml).toContain(`<hostdev mode='subsystem' type='pci' managed='yes'>`);
    expect(xml).toContain(`<address domain='0x0000' bus='0x01' slot='0x10' function='0x2'/>`);
    expect(xml).toContain(`<interface type='bridge'>\n      <mac address='${derivedVmMac('router-1', 1)}'/>\n      <source bridge='br0'/>\n      <model type='virtio'/>`);
    expect(xml).toContain(`<source network='default'/>`);
    expect(xml).toContain(`<memory unit='KiB'>8388608</memory>`);
    expect(xml).toContain('<vcpu>4</vcpu>');
    expect(xml).toContain(`<os firmware='efi'>`);
    expect(xml).toContain(`<source file='/var/lib/vm/a,b &amp; &lt;c&gt;&apos;s.qcow2'/>`);
    expect(xml).toContain(`<disk type='file' device='cdrom'>`);
  });

  it('validates under virt-xml-validate (every variant)', () => {
    const variants: [string, VmProfile][] = [
      ['full', profile()],
      ['seabios-minimal', profile({ firmware: 'seabios', disks: [], iso: null, display: 'none', nics: [] })],
      ['window-nat', profile({ display: 'window', nics: [{ kind: 'nat', mac: '02:00:00:00:00:01' }] })],
    ];
    for (const [name, p] of variants) {
      const r = validate(exportLibvirtXml(p), name);
      expect(r.output, name).toContain('validates');
      expect(r.status, name).toBe(0);
    }
    const qemuType = validate(exportLibvirtXml(profile(), { domainType: 'qemu' }), 'tcg');
    expect(qemuType.status).toBe(0);
  });

  it('the validator really rejects a broken domain (the test is not vacuous)', () => {
    const broken = exportLibvirtXml(profile()).replace("<memory unit='KiB'>", "<memory unit='bogus'>");
    const r = validate(broken, 'broken');
    expect(r.output).toMatch(/fails to validate/);
    expect(r.status).not.toBe(0);
  });

  it('splits PCI addresses', () => {
    expect(pciAddressAttributes('0001:af:1f.7')).toBe(`domain='0x0001' bus='0xaf' slot='0x1f' function='0x7'`);
    expect(() => pciAddressAttributes('01:00.0')).toThrow();
  });
});

describe('exportShellScript', () => {
  it('is set -eu, sets up taps, and runs the quoted argv in the foreground', () => {
    const p = profile({ firmware: 'seabios', nics: [{ kind: 'bridge', bridge: 'br0' }] });
    const paths = {
      dir: '/run/x/router-1',
      pidFile: '/run/x/router-1/qemu.pid',
      qmpSocket: '/run/x/router-1/qmp.sock',
      logFile: '/run/x/router-1/qemu.log',
      serialLog: '/run/x/router-1/serial.log',
    };
    const command = buildQemuArgv({ profile: p, paths, accel: 'kvm', firmware: null });
    const script = exportShellScript({ name: 'router-1', command, paths, firmware: null, uid: 1000 });
    expect(script.startsWith('#!/bin/sh\n')).toBe(true);
    expect(script).toContain('\nset -eu\n');
    expect(script).toContain(`ip tuntap add dev ${command.taps[0]!.tap} mode tap user 1000`);
    expect(script).toContain(`'driver=file,filename=/var/lib/vm/a,,b & <c>'\\''s.qcow2,node-name=disk0-file'`);
    expect(script).not.toContain('-daemonize');
    const sh = spawnSync('sh', ['-n'], { input: script, encoding: 'utf8' });
    expect(sh.status, sh.stderr).toBe(0);
  });
});
