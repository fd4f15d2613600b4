import { describe, expect, it } from 'vitest';
import type { VfSettings } from '#shared/model';
import { initialVfForm, qosEnabled, vfChangeFrom, vfFormProblems, type VfFormValues } from './vf-form';

const current: VfSettings = { index: 1, mac: '02:5e:10:00:00:01', vlan: 10, qos: 3, spoofCheck: true, trust: false, linkState: 'auto' };
const untouched = initialVfForm(current);
const edit = (over: Partial<VfFormValues>, from: VfFormValues = untouched) => ({ ...from, ...over });

describe('VF settings form: validation as the user types', () => {
  it('accepts the form as it opens', () => {
    expect(vfFormProblems(untouched, current)).toEqual({});
    expect(untouched).toEqual({ mac: '02:5e:10:00:00:01', vlan: '10', qos: '3', trust: 'off', spoofCheck: 'on', linkState: 'auto' });
  });

  it('refuses a malformed, multicast or broadcast MAC with the reason from shared/mac.ts', () => {
    expect(vfFormProblems(edit({ mac: '02:00:00:00:00' }), current).mac).toMatch(/is not a MAC address/);
    expect(vfFormProblems(edit({ mac: '01:00:5e:00:00:01' }), current).mac).toMatch(/multicast/);
    expect(vfFormProblems(edit({ mac: 'ff:ff:ff:ff:ff:ff' }), current).mac).toMatch(/multicast \(or broadcast\)/);
    expect(vfFormProblems(edit({ mac: '02-AB-00-00-00-01' }), current).mac).toBeUndefined();
    // All zeros clears an administratively set MAC.
    expect(vfFormProblems(edit({ mac: '00:00:00:00:00:00' }), current).mac).toBeUndefined();
  });

  it('keeps the VLAN within 0–4095 and the priority within 0–7, only with a VLAN', () => {
    expect(vfFormProblems(edit({ vlan: '4096' }), current).vlan).toBe('The VLAN must be a whole number from 0 (untagged) to 4095.');
    expect(vfFormProblems(edit({ vlan: '-1' }), current).vlan).toBeDefined();
    expect(vfFormProblems(edit({ vlan: '4095' }), current).vlan).toBeUndefined();
    expect(vfFormProblems(edit({ qos: '8' }), current).qos).toBe('The priority must be a whole number from 0 to 7.');
    expect(qosEnabled(edit({ vlan: '0' }), current)).toBe(false);
    // Without a VLAN the priority field is off and not checked.
    expect(vfFormProblems(edit({ vlan: '0', qos: '9' }), current).qos).toBeUndefined();
  });
});

describe('VF settings form: only what changed is sent', () => {
  it('sends nothing for an untouched form', () => {
    expect(vfChangeFrom(untouched, current)).toEqual({});
  });

  it('sends a new MAC, normalized', () => {
    expect(vfChangeFrom(edit({ mac: ' 02-AB-CD-00-00-09 ' }), current)).toEqual({ mac: '02:ab:cd:00:00:09' });
    // The same MAC typed differently is no change.
    expect(vfChangeFrom(edit({ mac: '02:5E:10:00:00:01' }), current)).toEqual({});
  });

  it('sends a VLAN change with the priority that is set (ip would reset it), and a priority change with its VLAN', () => {
    expect(vfChangeFrom(edit({ vlan: '20' }), current)).toEqual({ vlan: 20, qos: 3 });
    expect(vfChangeFrom(edit({ qos: '5' }), current)).toEqual({ vlan: 10, qos: 5 });
    expect(vfChangeFrom(edit({ vlan: '0' }), current)).toEqual({ vlan: 0 });
    const plain = { ...current, vlan: 0, qos: 0 };
    expect(vfChangeFrom(edit({ vlan: '100' }, initialVfForm(plain)), plain)).toEqual({ vlan: 100 });
  });

  it('sends trust, spoof check and link state only when switched', () => {
    expect(vfChangeFrom(edit({ trust: 'on', spoofCheck: 'off', linkState: 'disable' }), current)).toEqual({
      trust: true,
      spoofCheck: false,
      linkState: 'disable',
    });
    expect(vfChangeFrom(edit({ trust: 'off', spoofCheck: 'on', linkState: 'auto' }), current)).toEqual({});
  });

  it('sends nothing while a field is invalid', () => {
    expect(vfChangeFrom(edit({ mac: '01:00:5e:00:00:01', trust: 'on' }), current)).toBeNull();
  });

  it('when the PF reported nothing, empty fields stay as they are and anything chosen is sent', () => {
    const blank = initialVfForm(null);
    expect(blank).toEqual({ mac: '', vlan: '', qos: '', trust: '', spoofCheck: '', linkState: '' });
    expect(vfChangeFrom(blank, null)).toEqual({});
    expect(vfChangeFrom({ ...blank, mac: '02:00:00:00:00:01', trust: 'off' }, null)).toEqual({ mac: '02:00:00:00:00:01', trust: false });
    expect(vfChangeFrom({ ...blank, vlan: '7' }, null)).toEqual({ vlan: 7 });
    expect(vfChangeFrom({ ...blank, vlan: '7', qos: '2' }, null)).toEqual({ vlan: 7, qos: 2 });
  });
});
