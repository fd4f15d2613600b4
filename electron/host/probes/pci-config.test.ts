import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { RootFs } from '../fs/root-fs';
import { findExtendedCapability, parseAcs, readAcs } from './pci-config';

/** Port types of the PCI Express Capabilities register. */
const TYPE = { endpoint: 0x0, rootPort: 0x4, upstream: 0x5, downstream: 0x6, pcieToPci: 0x7 } as const;

interface ExtCap {
  id: number;
  at: number;
  /** Next pointer; default: the next cap's offset, 0 for the last. */
  next?: number;
  /** ACS capability and control registers (for id 0x000d). */
  acs?: { cap: number; ctrl: number };
}

/**
 * Config space bytes as the kernel hands them out: `size` bytes (64 for a non-root reader,
 * 256 conventional, 4096 PCIe), a PCI Express capability at 0x40 of `express` type unless
 * null, multifunction per header type bit 7, and the extended capabilities given.
 */
function config({ size = 4096, express = TYPE.rootPort as number | null, multifunction = false, ext = [] as ExtCap[] } = {}): Uint8Array {
  const c = Buffer.alloc(4096);
  c.writeUInt16LE(0x8086, 0x00);
  c.writeUInt8(
    (express === TYPE.rootPort || express === TYPE.downstream || express === TYPE.upstream || express === TYPE.pcieToPci ? 0x01 : 0x00) | (multifunction ? 0x80 : 0),
    0x0e,
  );
  if (express !== null) {
    c.writeUInt16LE(0x0010, 0x06); // status: capabilities list
    c.writeUInt8(0x40, 0x34);
    c.writeUInt8(0x10, 0x40); // PCI Express capability, last in the list
    c.writeUInt8(0x00, 0x41);
    c.writeUInt16LE(0x0002 | (express << 4), 0x42);
  }
  ext.forEach((e, i) => {
    const next = e.next ?? ext[i + 1]?.at ?? 0;
    c.writeUInt32LE(((e.id & 0xffff) | (1 << 16) | (next << 20)) >>> 0, e.at);
    if (e.acs) {
      c.writeUInt16LE(e.acs.cap, e.at + 4);
      c.writeUInt16LE(e.acs.ctrl, e.at + 6);
    }
  });
  return new Uint8Array(c.subarray(0, size));
}

const AER = { id: 0x0001, at: 0x100 };
/** What qemu's pcie-root-port offers (SV TB RR CR UF DT) and what Linux enables on it (SV RR CR UF). */
const ACS_CAP = 0x005f;
const ACS_ON = 0x001d;

describe('parseAcs', () => {
  it('a root port with SV, RR, CR and UF enabled isolates', () => {
    const acs = parseAcs(config({ ext: [AER, { id: 0x000d, at: 0x148, acs: { cap: ACS_CAP, ctrl: ACS_ON } }] }));
    expect(acs).toEqual({ configSize: 4096, portType: 'root-port', multifunction: false, present: true, capability: ACS_CAP, control: ACS_ON, isolates: true, missing: [] });
  });

  it('a root port with ACS partly enabled does not, and names the controls that are off', () => {
    const acs = parseAcs(config({ ext: [AER, { id: 0x000d, at: 0x148, acs: { cap: ACS_CAP, ctrl: 0x0001 } }] }));
    expect(acs).toMatchObject({
      portType: 'root-port',
      present: true,
      control: 0x0001,
      isolates: false,
      missing: ['request-redirect', 'completion-redirect', 'upstream-forwarding'],
    });
  });

  it('a control the capability lacks counts as hard-wired on (pci_acs_flags_enabled)', () => {
    // No Upstream Forwarding in the capability: SV, RR and CR enabled suffice.
    const acs = parseAcs(config({ express: TYPE.downstream, ext: [{ id: 0x000d, at: 0x100, acs: { cap: 0x000d, ctrl: 0x000d } }] }));
    expect(acs).toMatchObject({ portType: 'downstream-port', isolates: true, missing: [] });
  });

  it('a root port without an ACS capability does not isolate', () => {
    const acs = parseAcs(config({ ext: [AER, { id: 0x0002, at: 0x140 }] }));
    expect(acs).toEqual({ configSize: 4096, portType: 'root-port', multifunction: false, present: false, capability: null, control: null, isolates: false, missing: [] });
  });

  it('a single-function endpoint needs no ACS; a multifunction one needs RR and CR between its functions', () => {
    expect(parseAcs(config({ express: TYPE.endpoint, ext: [AER] }))).toMatchObject({ portType: 'endpoint', present: false, isolates: true });
    expect(parseAcs(config({ express: TYPE.endpoint, multifunction: true, ext: [AER] }))).toMatchObject({ multifunction: true, present: false, isolates: false, missing: [] });
    // A multifunction endpoint offers RR and CR only (SV and UF are not for endpoints): those enabled isolate.
    const mf = (ctrl: number) => parseAcs(config({ express: TYPE.endpoint, multifunction: true, ext: [{ id: 0x000d, at: 0x100, acs: { cap: 0x000c, ctrl } }] }));
    expect(mf(0x000c)).toMatchObject({ isolates: true, missing: [] });
    expect(mf(0x0004)).toMatchObject({ isolates: false, missing: ['completion-redirect'] });
  });

  it('a PCIe-to-PCI bridge never isolates, whatever it claims', () => {
    const acs = parseAcs(config({ express: TYPE.pcieToPci, ext: [{ id: 0x000d, at: 0x100, acs: { cap: ACS_CAP, ctrl: ACS_ON } }] }));
    expect(acs).toMatchObject({ portType: 'pcie-to-pci-bridge', isolates: false });
  });

  it('64 bytes (a reader other than root): unknown, only the header facts', () => {
    const acs = parseAcs(config({ size: 64, multifunction: true, ext: [{ id: 0x000d, at: 0x100, acs: { cap: ACS_CAP, ctrl: ACS_ON } }] }));
    expect(acs).toEqual({ configSize: 64, portType: null, multifunction: true, present: null, capability: null, control: null, isolates: null, missing: [] });
  });

  it('conventional PCI (256 bytes, no PCI Express capability): no ACS, never isolating', () => {
    const acs = parseAcs(config({ size: 256, express: null }));
    expect(acs).toEqual({ configSize: 256, portType: 'conventional', multifunction: false, present: false, capability: null, control: null, isolates: false, missing: [] });
  });

  it('a loop in the next pointers ends the walk', () => {
    const looping = config({
      ext: [
        { ...AER, next: 0x140 },
        { id: 0x0002, at: 0x140, next: 0x100 },
      ],
    });
    expect(findExtendedCapability(looping, 0x000d)).toBeNull();
    expect(parseAcs(looping)).toMatchObject({ present: false, isolates: false });
    const self = config({ ext: [{ ...AER, next: 0x100 }] });
    expect(findExtendedCapability(self, 0x000d)).toBeNull();
  });

  it('a next pointer past the end or below 0x100 ends the walk; an ACS header at the very end has no registers', () => {
    expect(findExtendedCapability(config({ size: 512, ext: [{ ...AER, next: 0x400 }] }), 0x000d)).toBeNull();
    expect(findExtendedCapability(config({ ext: [{ ...AER, next: 0x40 }] }), 0x000d)).toBeNull();
    const tail = config({ size: 0x104, ext: [{ id: 0x000d, at: 0x100 }] });
    expect(findExtendedCapability(tail, 0x000d)).toBe(0x100);
    expect(parseAcs(tail)).toMatchObject({ present: false, capability: null });
  });

  it('never throws and always ends, whatever the bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 4096 }), fc.boolean(), (bytes, pcie) => {
        // Half the runs land in a 4096-byte space, where the extended list is walked.
        const c = pcie ? new Uint8Array(4096) : bytes;
        if (pcie) c.set(bytes);
        const acs = parseAcs(c);
        expect(acs.configSize).toBe(c.length);
        if (c.length < 256) expect(acs.isolates).toBeNull();
        else expect(typeof acs.isolates).toBe('boolean');
      }),
      { numRuns: 300 },
    );
    // Every header pointing at the next dword, or at itself: the walk ends all the same.
    const chain = new Uint8Array(4096);
    for (let at = 0x100; at + 4 <= 4096; at += 4) new DataView(chain.buffer).setUint32(at, (0x0001 | ((at + 4) << 20)) >>> 0, true);
    expect(findExtendedCapability(chain, 0x000d)).toBeNull();
  });
});

describe('readAcs', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'passthru-acs-'));
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  it('reads the config file as bytes through the HostFs, and is null without one', () => {
    const dir = '/sys/devices/pci0000:00/0000:00:1c.0';
    fs.mkdirSync(root + dir, { recursive: true });
    // Bytes that are not UTF-8 (0xff, 0x80) must arrive unchanged.
    fs.writeFileSync(`${root}${dir}/config`, config({ ext: [{ id: 0x000d, at: 0x100, acs: { cap: 0x00ff, ctrl: 0x0080 | ACS_ON } }] }));
    expect(readAcs(new RootFs(root), dir)).toMatchObject({ portType: 'root-port', capability: 0x00ff, control: 0x009d, isolates: true });
    expect(readAcs(new RootFs(root), '/sys/devices/pci0000:00/0000:00:1d.0')).toBeNull();
  });
});
