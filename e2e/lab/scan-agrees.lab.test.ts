/**
 * In every lab scenario, `passthru scan --json` agrees with the kernel, checked inside the
 * guest against sources that share no code with the probes (lspci, sysfs read by a shell
 * script, ip -j); and a snapshot taken in the guest reads back as the same scan, both in the
 * guest and on this machine. Each scenario boots once; every check runs in that boot.
 * LAB_SCENARIOS=seed,virtio limits the run.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HostScan } from '#shared/model';
import { bootLab, type LabHandle } from './boot';
import { SCENARIOS } from './scenarios';
import { cliPath, collectGuestFacts, passthru, type GuestFacts } from './checks/guest-facts';
import {
  checkDeviceAttributes,
  checkDeviceSet,
  checkDrivers,
  checkIdsAndNames,
  checkIommuGroups,
  checkIommuState,
  checkModules,
  checkNetwork,
  checkSriov,
  checkTopologyAndInterfaces,
  checkViability,
  diffScans,
  hwdbNameDifferences,
} from './checks/compare-scan';
import { runCli } from './checks/device-state';
import { recordTiming } from './checks/timings';

/** The parts of `passthru iommu status --json` these checks read. */
interface IommuStatusJson {
  configured: 'on' | 'off' | 'unknown';
  boot: { ok: boolean; reason?: string; method?: { kind: string } };
  verification: { verified: boolean; missing: string | null; rebootPending: boolean; items: { id: string; ok: boolean }[] };
}
import { runs } from './checks/use-lab';

const scenarios = SCENARIOS.filter((s) => runs(s.name));

describe.each(scenarios)('lab scenario $name', (scenario) => {
  let lab: LabHandle | undefined;
  let facts: GuestFacts;
  let t0 = 0;

  beforeAll(async () => {
    t0 = Date.now();
    lab = await bootLab(scenario);
    recordTiming(scenario.name, 'ready', lab.timings.readyMs);
    facts = await collectGuestFacts(lab);
  });

  afterAll(async () => {
    await lab?.shutdown();
    recordTiming(scenario.name, 'total', Date.now() - t0);
  });

  it('lists exactly the PCI functions of /sys/bus/pci/devices', () => {
    expect(checkDeviceSet(facts)).toEqual([]);
    expect(facts.scan.devices.length).toBeGreaterThan(5);
  });

  it('reports the driver in use as lspci -k does', () => {
    expect(checkDrivers(facts)).toEqual([]);
  });

  it('reports vendor/device/subsystem/class ids and names as lspci -nn does', () => {
    expect(checkIdsAndNames(facts)).toEqual([]);
    const hwdb = hwdbNameDifferences(facts);
    if (hwdb.length) console.log(`[lab report] ${scenario.name}: names that differ from plain lspci (udev hwdb, not pci.ids):\n  ${hwdb.join('\n  ')}`);
  });

  it('reports the kernel modules lspci -k lists', () => {
    expect(checkModules(facts)).toEqual([]);
  });

  it('reports the IOMMU groups of /sys/kernel/iommu_groups', () => {
    expect(checkIommuGroups(facts)).toEqual([]);
    expect(checkViability(facts)).toEqual([]);
  });

  it('reports SR-IOV totals, VFs and PFs as sysfs does', () => {
    expect(checkSriov(facts)).toEqual([]);
    const pfs = scenario.nics.filter((n) => n.model === 'igb').length;
    expect(facts.scan.devices.filter((d) => d.sriov).length).toBe(pfs);
    const vfs = facts.scan.devices.filter((d) => d.physfn);
    expect(vfs.length).toBe(scenario.enableAllVfs ? pfs * 7 : 0);
    if (scenario.enableAllVfs) expect(vfs.every((d) => d.driver === 'igbvf')).toBe(true);
  });

  it('reports parents and interfaces of each function as the sysfs tree does', () => {
    expect(checkTopologyAndInterfaces(facts)).toEqual([]);
  });

  it('reports driver_override, NUMA node, reset methods, link state and speed as sysfs does', () => {
    expect(checkDeviceAttributes(facts)).toEqual([]);
  });

  it('marks the NIC of the default routes (ip route) as the management NIC', () => {
    expect(checkNetwork(facts)).toEqual([]);
    const mgmt = scenario.nics.find((n) => n.management)!;
    const iface = facts.scan.interfaces.find((i) => i.mac === mgmt.mac);
    expect(iface?.management).toBe(true);
    expect(iface?.defaultRoute).toEqual({ ipv4: true, ipv6: true });
  });

  it(scenario.iommu ? 'reports the IOMMU on (Intel, interrupt remapping)' : 'reports the IOMMU off, failing readiness with a remedy', () => {
    expect(checkIommuState(facts, scenario.iommu)).toEqual([]);
    if (!scenario.iommu) {
      const check = facts.scan.readiness.find((r) => r.id === 'iommu-enabled')!;
      // An Intel CPU with a kernel built without INTEL_IOMMU_DEFAULT_ON: the fix is the argument.
      expect(check.remedy).toMatch(/intel_iommu=on/);
    }
  });

  it(
    scenario.iommu
      ? '`iommu status` verifies the IOMMU after the boot: command line, /sys/class/iommu, groups, interrupt remapping'
      : '`iommu status` says what is missing and, once the guest has a GRUB configuration, offers to turn the IOMMU on',
    async () => {
      const status = async () => (await runCli(lab!, 'iommu', 'status', '--json')).json as IommuStatusJson;
      const items = (ok: boolean) => ['cmdline', 'units', 'groups', 'interrupt-remapping'].map((id) => ({ id, ok }));
      if (scenario.iommu) {
        expect((await status()).verification).toMatchObject({ verified: true, missing: null, rebootPending: false, items: items(true) });
        return;
      }
      const off = await status();
      expect(off.verification).toMatchObject({ verified: false, rebootPending: false, items: items(false) });
      // qemu starts the guest's kernel itself (-kernel): there is no bootloader to change.
      expect(off).toMatchObject({ configured: 'unknown', boot: { ok: false, reason: expect.stringMatching(/^No bootloader/) } });
      expect(off.verification.missing).toMatch(/^\/proc\/cmdline lacks intel_iommu=on\. Passthru cannot change this machine's boot configuration/);
      // Debian's GRUB configuration in the guest's tmpfs overlay (its os-release is this machine's Debian 12).
      const grub = 'GRUB_DEFAULT=0\nGRUB_TIMEOUT=5\nGRUB_CMDLINE_LINUX_DEFAULT="quiet"\nGRUB_CMDLINE_LINUX=""\n';
      await lab!.runOk(['/bin/sh', '-c', `mkdir -p /etc/default /boot/grub && printf '%s' '${grub}' > /etc/default/grub && echo '# generated' > /boot/grub/grub.cfg`]);
      try {
        const offered = await status();
        expect(offered).toMatchObject({ configured: 'off', boot: { ok: true, method: { kind: 'grub', regenerate: ['update-grub'] } } });
        expect(offered.verification.missing).toBe('/proc/cmdline lacks intel_iommu=on. Turn the IOMMU on with the wizard, then reboot.');
        const dry = await runCli(lab!, 'iommu', 'enable', '--dry-run');
        expect(dry.code).toBe(0);
        expect(dry.stdout).toContain('+GRUB_CMDLINE_LINUX_DEFAULT="${GRUB_CMDLINE_LINUX_DEFAULT} intel_iommu=on"');
        expect(dry.stdout).toContain('$ update-grub');
      } finally {
        await lab!.runOk(['rm', '-rf', '/etc/default/grub', '/boot/grub']);
      }
    },
  );

  it('prints the readable summary and exits 0', async () => {
    const r = await lab!.runOk(passthru('scan'));
    expect(r.stdout).toContain(facts.scan.devices[0]!.address);
  });

  it('takes a snapshot that reads back as the same scan, in the guest and on this machine', async () => {
    // In the guest's tmpfs: 9p metadata is slow under TCG (see LabHandle.copyOut).
    await lab!.runOk(passthru('snapshot', '/tmp/snapshot'));
    const inGuest = JSON.parse((await lab!.runOk(passthru('scan', '--json', '--root', '/tmp/snapshot'))).stdout) as HostScan;
    expect(inGuest.source.kind).toBe('snapshot');
    expect(diffScans(facts.scan, inGuest, 'read back from the snapshot in the guest')).toEqual([]);
    const hostCopy = path.join(lab!.runDir, 'snapshot');
    await lab!.copyOut('/tmp/snapshot', hostCopy);
    const onHost = JSON.parse(execFileSync(process.execPath, [cliPath(), 'scan', '--json', '--root', hostCopy], { encoding: 'utf8', maxBuffer: 64 << 20 })) as HostScan;
    expect(diffScans(facts.scan, onHost, 'read back from the snapshot on this machine')).toEqual([]);
  });
});
