/**
 * The "Configure VF…" form as pure functions: validation as the user types (MAC through
 * shared/mac.ts, VLAN 0–4095, priority 0–7 only with a VLAN) and the settings it sends —
 * only what differs from what the PF reports now.
 */
import { macProblem, normalizeMac, ZERO_MAC } from '#shared/mac';
import type { VfSettings } from '#shared/model';
import type { VfChange } from '#shared/plan';
import { parseWhole } from './sriov-form';

/** '' leaves the setting as it is (the only choice besides on/off when the PF did not say). */
export type OnOff = '' | 'on' | 'off';
export type LinkChoice = '' | 'auto' | 'enable' | 'disable';

export interface VfFormValues {
  mac: string;
  vlan: string;
  qos: string;
  trust: OnOff;
  spoofCheck: OnOff;
  linkState: LinkChoice;
}

export interface VfFormProblems {
  mac?: string;
  vlan?: string;
  qos?: string;
}

const onOff = (v: boolean | null | undefined): OnOff => (v === true ? 'on' : v === false ? 'off' : '');

/** The form showing the VF as it is now; empty fields where the PF reported nothing. */
export function initialVfForm(current: VfSettings | null): VfFormValues {
  return {
    mac: current?.mac ?? '',
    vlan: current ? String(current.vlan) : '',
    qos: current ? String(current.qos) : '',
    trust: onOff(current?.trust),
    spoofCheck: onOff(current?.spoofCheck),
    linkState: current?.linkState ?? '',
  };
}

/** The VLAN the VF will have: the typed one, else the current one, else none. Null when invalid. */
export function effectiveVlan(values: VfFormValues, current: VfSettings | null): number | null {
  const v = parseWhole(values.vlan);
  if (v === 'empty') return current?.vlan ?? 0;
  return typeof v === 'number' && v <= 4095 ? v : null;
}

/** Whether the priority field applies: only with a (valid, non-zero) VLAN. */
export function qosEnabled(values: VfFormValues, current: VfSettings | null): boolean {
  const vlan = effectiveVlan(values, current);
  return vlan !== null && vlan > 0;
}

export function vfFormProblems(values: VfFormValues, current: VfSettings | null): VfFormProblems {
  const problems: VfFormProblems = {};
  if (values.mac.trim() !== '') {
    const p = macProblem(values.mac, { allowZero: true });
    if (p) problems.mac = p;
  }
  const vlan = parseWhole(values.vlan);
  if (vlan !== 'empty' && (typeof vlan !== 'number' || vlan > 4095)) {
    problems.vlan = 'The VLAN must be a whole number from 0 (untagged) to 4095.';
  }
  if (qosEnabled(values, current)) {
    const qos = parseWhole(values.qos);
    if (qos !== 'empty' && (typeof qos !== 'number' || qos > 7)) problems.qos = 'The priority must be a whole number from 0 to 7.';
  }
  return problems;
}

/**
 * The settings to send: only those that differ from `current`. A VLAN change carries the
 * priority when one is set (`ip link … vlan V` alone would reset it to 0), and a priority
 * change carries its VLAN (iproute2 only takes `qos` after `vlan`). Null while invalid.
 */
export function vfChangeFrom(values: VfFormValues, current: VfSettings | null): VfChange | null {
  if (Object.keys(vfFormProblems(values, current)).length > 0) return null;
  const change: VfChange = {};

  if (values.mac.trim() !== '') {
    const mac = normalizeMac(values.mac)!;
    if (mac !== (current?.mac ?? ZERO_MAC)) change.mac = mac;
  }

  const vlanTyped = parseWhole(values.vlan);
  const vlan = effectiveVlan(values, current) ?? 0;
  const qosTyped = parseWhole(values.qos);
  const qos = vlan > 0 ? (typeof qosTyped === 'number' ? qosTyped : (current?.qos ?? 0)) : 0;
  const vlanChanged = typeof vlanTyped === 'number' && vlanTyped !== current?.vlan;
  const qosChanged = vlan > 0 && typeof qosTyped === 'number' && qosTyped !== (current?.qos ?? 0);
  if (vlanChanged || qosChanged) {
    change.vlan = vlan;
    if (vlan > 0 && (qosChanged || qos > 0)) change.qos = qos;
  }

  if (values.trust !== '' && values.trust !== onOff(current?.trust)) change.trust = values.trust === 'on';
  if (values.spoofCheck !== '' && values.spoofCheck !== onOff(current?.spoofCheck)) change.spoofCheck = values.spoofCheck === 'on';
  if (values.linkState !== '' && values.linkState !== current?.linkState) change.linkState = values.linkState;
  return change;
}
