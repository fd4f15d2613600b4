import { describe, expect, it } from 'vitest';
import type { CommandRunner } from '../exec/run-command';
import { CommandError } from '../exec/run-command';
import { RootFs } from '../fs/root-fs';
import { buildFakeHost, labHostSpec } from '../testing/fake-sysfs';
import type { OpContext } from './op-context';
import { OPS } from './index';

const PF = '0000:01:00.0';

/** A PF driver holding a VF table, driven by `ip link set ... vf N ...` argv as iproute2 would. */
function fakeIp(options: { refuse?: string } = {}) {
  const vfs = [0, 1].map((vf) => ({ vf, address: '00:00:00:00:00:00', vlan_list: [{}] as { vlan?: number; qos?: number }[], spoofchk: true, trust: false, link_state: 'auto' }));
  const calls: string[][] = [];
  const run: CommandRunner = async (argv) => {
    calls.push([...argv]);
    if (argv[1] === '-j') return { argv: [...argv], exitCode: 0, stdout: JSON.stringify([{ ifname: argv[5], vfinfo_list: vfs }]), stderr: '', durationMs: 0 };
    const vf = vfs[Number(argv[6])]!;
    for (let i = 7; i < argv.length; i += 2) {
      const [k, v] = [argv[i]!, argv[i + 1]!];
      if (k === options.refuse) throw new CommandError({ argv, failure: 'exit', exitCode: 2, stdout: '', stderr: 'RTNETLINK answers: Operation not supported\n' });
      if (k === 'mac') vf.address = v;
      if (k === 'vlan') vf.vlan_list = [Number(v) ? { vlan: Number(v) } : {}];
      if (k === 'qos') vf.vlan_list[0]!.qos = Number(v);
      if (k === 'trust') vf.trust = v === 'on';
      if (k === 'spoofchk') vf.spoofchk = v === 'on';
    }
    return { argv: [...argv], exitCode: 0, stdout: '', stderr: '', durationMs: 0 };
  };
  return { run, calls, vfs };
}

function ctx(run: CommandRunner): OpContext {
  const root = buildFakeHost(labHostSpec());
  // fakeIp stands in for the kernel's PF driver (kernel 'fake'): a tree alone has none.
  return { root, fs: new RootFs(root), runCommand: run, kernel: 'fake', originalDrivers: [] };
}

describe('set-vf', () => {
  it('runs ip with an argv array on the PF interface read from sysfs, and verifies by reading back', async () => {
    const ip = fakeIp();
    const c = ctx(ip.run);
    const op = { verb: 'set-vf' as const, address: PF, vf: 1, settings: { vlan: 100, qos: 3 } };
    OPS.validate(op, c);
    await OPS.run(op, c);
    expect(ip.calls.filter((a) => a[1] === 'link')).toEqual([['ip', 'link', 'set', 'dev', 'enp1s0', 'vf', '1', 'vlan', '100', 'qos', '3']]);
    expect(await OPS.verify(op, c)).toBeNull();
    // Already in place: a second run reads the table and changes nothing.
    await OPS.run(op, c);
    expect(ip.calls.filter((a) => a[1] === 'link')).toHaveLength(1);
    expect(await OPS.verify({ ...op, settings: { mac: '02:00:00:00:00:09' } }, c)).toMatch(/MAC is unset/);
  });

  it('explains a setting the driver does not support', async () => {
    const c = ctx(fakeIp({ refuse: 'state' }).run);
    await expect(OPS.run({ verb: 'set-vf', address: PF, vf: 0, settings: { linkState: 'disable' } }, c)).rejects.toMatchObject({
      code: 'FAILED',
      message: expect.stringContaining('refused state disable for VF 0: Operation not supported'),
    });
  });

  it('re-validates everything it is sent', () => {
    const c = ctx(fakeIp().run);
    const bad = (vf: unknown, settings: unknown) => () => OPS.validate({ verb: 'set-vf', address: PF, vf, settings } as never, c);
    expect(bad(0, { mac: '01:00:5e:00:00:01' })).toThrow(/multicast/);
    expect(bad(0, { mac: '02:AA:00:00:00:01' })).toThrow(/lower case/);
    expect(bad(0, { mac: '02:00:00:00:00:01 vf 1 trust on' })).toThrow(/not a MAC/);
    expect(bad(0, { vlan: -1 })).toThrow(/VLAN/);
    expect(bad(0, { rate: 5 })).toThrow(/Unknown VF setting/);
    expect(bad(0, {})).toThrow(/Nothing to change/);
    expect(bad(7, { trust: true })).toThrow(/VF index/);
    expect(() => OPS.validate({ verb: 'set-vf', address: '0000:00:04.0', vf: 0, settings: { trust: true } }, c)).toThrow(/no SR-IOV/);
  });
});
