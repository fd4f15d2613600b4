import { describe, expect, it } from 'vitest';
import { vmProfileSchema } from '../../../../shared/vm';
import { initialVmForm, profileFrom, vmFormProblems, type VmFormValues } from './vm-form';

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
    expect(vmFormProblems(form({ nics: [{ kind: 'passthrough', address: '0000:01:10.0' }, { kind: 'passthrough', address: '0000:01:10.0' }] }), []).nics).toBe('A device can be passed through only once.');
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
    const full = profileFrom(form({ nics: [{ kind: 'nat' }, { kind: 'bridge', bridge: 'br0' }, { kind: 'passthrough', address: '0000:01:10.0' }], iso: '/isos/a b.iso', firmware: 'ovmf', display: 'none' }), [], now);
    expect(full).not.toBeNull();
    expect(vmProfileSchema.parse(full)).toEqual(full);
  });
});
