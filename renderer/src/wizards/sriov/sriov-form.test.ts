import { describe, expect, it } from 'vitest';
import type { SriovInfo } from '#shared/model';
import { initialSriovForm, parseWhole, sriovRequestFrom, vfCountProblem } from './sriov-form';

const sriov = (over: Partial<SriovInfo> = {}): SriovInfo => ({
  totalVfs: 7,
  numVfs: 2,
  vfs: ['0000:01:10.0', '0000:01:10.2'],
  driversAutoprobe: true,
  vfSettings: null,
  bootRule: null,
  ...over,
});
const PF = '0000:01:00.0';

describe('the VF count', () => {
  it('accepts 0 to sriov_totalvfs', () => {
    for (const ok of ['0', '1', '7', ' 3 ', '+2']) expect(vfCountProblem(ok, 7)).toBeNull();
  });

  it('explains every bad value with the allowed range', () => {
    expect(vfCountProblem('8', 7)).toBe('This device supports at most 7 VFs (its sriov_totalvfs): enter a number from 0 to 7.');
    expect(vfCountProblem('-1', 7)).toBe('The number of VFs cannot be negative: enter a number from 0 to 7 (0 removes every VF).');
    expect(vfCountProblem('2.5', 7)).toBe('"2.5" is not a whole number: enter a number from 0 to 7.');
    expect(vfCountProblem('abc', 7)).toBe('"abc" is not a whole number: enter a number from 0 to 7.');
    expect(vfCountProblem('', 7)).toBe('Enter a number of VFs from 0 to 7.');
    expect(vfCountProblem('1e3', 7)).toMatch(/not a whole number/);
  });

  it('parses whole numbers only', () => {
    expect(parseWhole('12')).toBe(12);
    expect(parseWhole('-0')).toBe('negative');
    expect(parseWhole('0x10')).toBe('not-whole');
  });
});

describe('what "Set number of VFs…" sends', () => {
  it('starts from the PF as it is: the current count, autoprobe as set, no persistence', () => {
    const req = { kind: 'sriov' as const, address: PF, numVfs: 2, persist: false, force: false };
    expect(initialSriovForm(req, sriov())).toEqual({ count: '2', keepUnbound: false, persist: false });
    expect(initialSriovForm(req, sriov({ driversAutoprobe: false }))).toMatchObject({ keepUnbound: true });
    // Back from the checks: the form shows what was submitted.
    expect(initialSriovForm({ ...req, numVfs: 5, autoprobe: false, persist: true }, sriov())).toEqual({ count: '5', keepUnbound: true, persist: true });
  });

  it('sends the count and persist, and autoprobe only when the box was changed', () => {
    expect(sriovRequestFrom({ count: '4', keepUnbound: false, persist: false }, PF, sriov())).toEqual({
      kind: 'sriov',
      address: PF,
      numVfs: 4,
      persist: false,
      force: false,
    });
    expect(sriovRequestFrom({ count: '4', keepUnbound: true, persist: true }, PF, sriov())).toEqual({
      kind: 'sriov',
      address: PF,
      numVfs: 4,
      autoprobe: false,
      persist: true,
      force: false,
    });
    // Already off and left ticked: unchanged, so not sent; unticked: turned back on.
    expect(sriovRequestFrom({ count: '0', keepUnbound: true, persist: false }, PF, sriov({ driversAutoprobe: false }))).not.toHaveProperty('autoprobe');
    expect(sriovRequestFrom({ count: '0', keepUnbound: false, persist: false }, PF, sriov({ driversAutoprobe: false }))).toMatchObject({ autoprobe: true });
    // Unreadable autoprobe: only a tick is a wish.
    expect(sriovRequestFrom({ count: '1', keepUnbound: false, persist: false }, PF, sriov({ driversAutoprobe: null }))).not.toHaveProperty('autoprobe');
  });

  it('sends nothing while the count is invalid', () => {
    expect(sriovRequestFrom({ count: '8', keepUnbound: false, persist: false }, PF, sriov())).toBeNull();
    expect(sriovRequestFrom({ count: '', keepUnbound: false, persist: false }, PF, sriov())).toBeNull();
  });
});
