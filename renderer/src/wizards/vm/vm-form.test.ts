import { describe, expect, it } from 'vitest';
import { vmProfileSchema } from '#shared/vm';
import { sampleScan, sampleSnapshotScan } from '../../testing/sample-scan';
import { bridgeCandidates, candidateText, initialVmForm, passthroughCandidates, profileFrom, vmFormProblems, type VmFormValues } from './vm-form';

const now = new Date('2026-11-25T00:00:00Z');
const form = (patch: Partial<VmFormValues>): VmFormValues => ({ ...initialVmForm(), name: 'web', ...patch });

describe('the New-VM form', () => {
  it('says what is wrong with each field as typed', () => {
    expect(vmFormProblems(form({ name: '' }), []).name).toBe('Enter a name.');
    expect(vmFormProblems(form({ name: '-x' }), []).name).toMatch(/^Use 1–63 letters/);
    expect(vmFormProblems(form({}), ['web']).name).toBe('A VM named web exists already.');
    expect(vmFormProblems(form({ cpus: '0' }), []).cpus).toBe('The number of vCPUs must be from 1 to 256.');
    expect(vmFormProblems(form({ memoryMiB: '1.5' }), []).memoryMiB).toBe('The memory in MiB must be a whole number.');
    expect(vmFormProblems(form({ disk: 'disk.qcow2' }), []).disk).toBe('Give the full path of the disk image, starting with /.');
    expect(vmFormProblems(form({ nics: [{ kind: 'bridge', bridge: '' }] }), []).nics).toBe('Choose the device or bridge of every NIC.');
    expect(
      vmFormProblems(
        form({
          nics: [
            { kind: 'passthrough', address: '0000:01:10.0' },
            { kind: 'passthrough', address: '0000:01:10.0' },
          ],
        }),
        [],
      ).nics,
    ).toBe('A device can be passed through only once.');
    expect(vmFormProblems(form({}), [])).toEqual({});
  });

  it('submits the profile the schema accepts: trimmed, numbers parsed, no empty disk or ISO', () => {
    expect(profileFrom(form({ name: ' web ', disk: ' /vms/a,b.qcow2 ', iso: '' }), [], now)).toEqual({
      name: 'web',
      cpus: 2,
      memoryMiB: 2048,
      firmware: 'seabios',
      machine: 'q35',
      disks: [{ path: '/vms/a,b.qcow2', format: 'qcow2' }],
      iso: null,
      display: 'vnc',
      nics: [{ kind: 'nat' }],
      createdAt: '2026-11-25T00:00:00.000Z',
    });
    expect(profileFrom(form({ cpus: 'two' }), [], now)).toBeNull();
    // What the form submits is what main's schema accepts, unchanged, for every NIC kind.
    const full = profileFrom(
      form({
        nics: [{ kind: 'nat' }, { kind: 'bridge', bridge: 'br0' }, { kind: 'passthrough', address: '0000:01:10.0' }],
        iso: '/isos/a b.iso',
        firmware: 'ovmf',
        display: 'none',
      }),
      [],
      now,
    );
    expect(full).not.toBeNull();
    expect(vmProfileSchema.parse(full)).toEqual(full);
  });

  it("offers every network function with its driver, its group's verdict and the management NIC flagged, on a snapshot as on the live host", () => {
    for (const scan of [sampleScan, sampleSnapshotScan]) {
      const lines = passthroughCandidates(scan).map(candidateText);
      expect(lines).toEqual([
        '0000:00:1f.6 eno1 Ethernet Connection (7) I219-LM — e1000e, group 9: Blocked — management NIC (carries the host network)',
        '0000:01:00.0 enp1s0f0 82576 Gigabit Network Connection — igb, group 1: Shared',
        '0000:01:00.1 enp1s0f1 82576 Gigabit Network Connection — igb, group 1: Shared',
        '0000:01:10.0 enp1s0f0v0 82576 Virtual Function (VF) — igbvf, group 17: Assignable',
        '0000:01:10.2 82576 Virtual Function (VF) — vfio-pci, group 18: Ready',
        '0000:02:00.0 I210 Gigabit Network Connection — vfio-pci, group 7: Ready',
      ]);
    }
    const mgmt = passthroughCandidates(sampleScan)[0]!;
    expect(mgmt).toMatchObject({ management: true, verdict: 'blocked' });
    expect(mgmt.reasons[0]).toContain("carries the host's default IPv4 route (eno1)");
    const noIommu = passthroughCandidates({ ...sampleScan, devices: sampleScan.devices.map((d) => ({ ...d, iommuGroup: null })), groups: [] });
    expect(candidateText(noIommu[3]!)).toBe('0000:01:10.0 enp1s0f0v0 82576 Virtual Function (VF) — igbvf, no IOMMU group');
    expect(noIommu[3]!.reasons[0]).toMatch(/the IOMMU is off/);
    expect(bridgeCandidates(sampleSnapshotScan)).toEqual(['br-lab', 'virbr0']);
  });
});
