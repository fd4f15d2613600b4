import { describe, expect, it } from 'vitest';
import { assessGroup, type GroupMember } from './group-passthrough';
import type { AcsFacts, PciAddress } from './model';

const acs = (over: Partial<AcsFacts>): AcsFacts => ({
  configSize: 4096,
  portType: 'endpoint',
  multifunction: false,
  present: false,
  capability: null,
  control: null,
  isolates: true,
  missing: [],
  ...over,
});
/** What a reader other than root gets: the first 64 bytes, nothing past the header. */
const headerOnly = (multifunction = false): AcsFacts => ({ ...acs({ multifunction }), configSize: 64, portType: null, present: null, isolates: null });

const nic = (address: PciAddress, parent: PciAddress | null, facts: AcsFacts | null): GroupMember => ({
  address,
  parent,
  acs: facts,
  driver: 'igb',
  isBridge: false,
  className: 'Ethernet controller',
  hostNeeds: [],
  sriov: null,
});
const port = (address: PciAddress, parent: PciAddress | null, facts: AcsFacts | null): GroupMember => ({
  ...nic(address, parent, facts),
  driver: 'pcieport',
  isBridge: true,
  className: 'PCI bridge',
});

function joinedBy(members: GroupMember[], others: GroupMember[] = []): string[] {
  const byAddress = new Map([...members, ...others].map((m) => [m.address, m]));
  const verdict = assessGroup(
    members.map((m) => m.address),
    byAddress,
  );
  expect(verdict.state).toBe('shared');
  expect(verdict.options.length).toBeGreaterThan(0);
  return verdict.joinedBy;
}

const RP = '0000:00:1c.0';
const rootPort = (over: Partial<AcsFacts>) => port(RP, null, acs({ portType: 'root-port', ...over }));
const twoFunctions = (facts: AcsFacts | null) => [nic('0000:01:00.0', RP, facts), nic('0000:01:00.1', RP, facts)];

describe('what joins a shared group, from config space', () => {
  it('a root port whose ACS is not enabled: named, with the controls that are off', () => {
    const rp = rootPort({ present: true, capability: 0x5f, control: 0x01, isolates: false, missing: ['request-redirect', 'completion-redirect', 'upstream-forwarding'] });
    expect(joinedBy([rp, nic('0000:01:00.0', RP, acs({})), nic('0000:01:00.1', RP, acs({}))])).toEqual([
      '0000:01:00.0 and 0000:01:00.1 sit behind root port 0000:00:1c.0 (PCI bridge), whose ACS is not enabled (P2P Request Redirect, P2P Completion Redirect and Upstream Forwarding off, per its config space), so it does not keep the devices below it apart.',
    ]);
  });

  it('a root port without an ACS capability', () => {
    const rp = rootPort({ present: false, isolates: false });
    expect(joinedBy([rp, ...twoFunctions(acs({}))])).toEqual([
      '0000:01:00.0 and 0000:01:00.1 sit behind root port 0000:00:1c.0 (PCI bridge), which has no ACS capability (per its config space), so it does not keep the devices below it apart.',
    ]);
  });

  it('ACS not readable (not root): says so rather than asserting', () => {
    const [sentence, ...rest] = joinedBy([port(RP, null, headerOnly()), ...twoFunctions(headerOnly(true))]);
    expect(sentence).toBe(
      '0000:01:00.0 and 0000:01:00.1 are functions of one device (slot 0000:01:00); Passthru could not read whether ACS separates them: config space beyond the first 64 bytes needs root (running Passthru as root, or a snapshot captured as root, would tell).',
    );
    expect(rest).toEqual([
      "0000:01:00.0 and 0000:01:00.1 sit behind 0000:00:1c.0 (PCI bridge); Passthru could not read 0000:00:1c.0's ACS capability: config space beyond the first 64 bytes needs root (running Passthru as root, or a snapshot captured as root, would tell). Without ACS enabled there, a bridge does not keep the devices below it apart.",
    ]);
    for (const s of [sentence, ...rest]) expect(s).not.toMatch(/lacks ACS/);
  });

  it('functions of one multifunction device without ACS between them, behind a port that isolates', () => {
    const rp = rootPort({ present: true, capability: 0x5f, control: 0x1d, isolates: true });
    const mf = acs({ multifunction: true, present: true, capability: 0x0c, control: 0x04, isolates: false, missing: ['completion-redirect'] });
    expect(joinedBy(twoFunctions(mf), [rp])).toEqual([
      '0000:01:00.0 and 0000:01:00.1 are functions of one device (slot 0000:01:00) without ACS between its functions: it is not enabled (P2P Completion Redirect off, per its config space).',
    ]);
    expect(joinedBy(twoFunctions(acs({ multifunction: true, isolates: false })), [rp])).toEqual([
      '0000:01:00.0 and 0000:01:00.1 are functions of one device (slot 0000:01:00) without ACS between its functions (no ACS capability, per its config space).',
    ]);
  });

  it('a conventional PCI bridge, and a PCIe-to-PCI bridge, are named as such', () => {
    const conv = acs({ configSize: 256, portType: 'conventional', isolates: false });
    const br = port('0000:01:00.0', RP, conv);
    const under = [nic('0000:02:01.0', br.address, conv), nic('0000:02:02.0', br.address, conv)];
    const isolatingRp = rootPort({ present: true, capability: 0x5f, control: 0x1d, isolates: true });
    expect(joinedBy([br, ...under], [isolatingRp])).toEqual([
      '0000:02:01.0 and 0000:02:02.0 sit behind the conventional PCI bridge 0000:01:00.0 (PCI bridge), which cannot isolate what is behind it: devices on conventional PCI can reach each other, and ACS does not exist there.',
    ]);
    const pcieToPci = port('0000:01:00.0', RP, acs({ portType: 'pcie-to-pci-bridge', isolates: false }));
    expect(joinedBy([pcieToPci, ...under], [isolatingRp])[0]).toMatch(
      /^0000:02:01\.0 and 0000:02:02\.0 sit behind 0000:01:00\.0 \(PCI bridge\), a bridge to conventional PCI, which cannot isolate what is behind it/,
    );
  });

  it('everything isolating per config space: says the reason is not there (a quirk or a DMA alias)', () => {
    const rp = rootPort({ present: true, capability: 0x5f, control: 0x1d, isolates: true });
    const [only] = joinedBy([nic('0000:01:00.0', RP, acs({})), nic('0000:01:00.1', RP, acs({}))], [rp]);
    expect(only).toMatch(/^Per their config space, the ports above 0000:01:00\.0 and 0000:01:00\.1 have ACS enabled .*kernel quirk.*DMA alias/);
  });

  it('config space not readable at all (acs null) is unknown too', () => {
    expect(joinedBy([port(RP, null, null), nic('0000:01:00.0', RP, null), nic('0000:02:00.0', RP, null)])).toEqual([
      "0000:01:00.0 and 0000:02:00.0 sit behind 0000:00:1c.0 (PCI bridge); Passthru could not read 0000:00:1c.0's ACS capability: its config space could not be read (a snapshot taken by an older Passthru does not hold it). Without ACS enabled there, a bridge does not keep the devices below it apart.",
    ]);
  });
});
