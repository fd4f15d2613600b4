/**
 * One VF's settings as `ip link set dev PF vf N …` takes them: the check every field passes
 * (the planner for the preview, the op again in the helper, which trusts nothing it is sent)
 * and the arguments in the order ip documents them. Pure: plans show them, ops run them.
 */
import { badInput } from '#shared/errors';
import { macProblem, normalizeMac } from '#shared/mac';
import type { VfChange } from '#shared/plan';

const KEYS = new Set(['mac', 'vlan', 'qos', 'trust', 'spoofCheck', 'linkState']);

/** Checks every field of a VF change (the helper trusts nothing it is sent). */
export function checkVfChange(settings: unknown): VfChange {
  if (settings === null || typeof settings !== 'object' || Array.isArray(settings)) throw badInput('VF settings must be an object.');
  const s = settings as Record<string, unknown>;
  const keys = Object.keys(s);
  if (!keys.length) throw badInput('Nothing to change: give a MAC, VLAN, trust, spoof check or link state.');
  for (const k of keys) if (!KEYS.has(k)) throw badInput(`Unknown VF setting ${JSON.stringify(k)}.`);
  if (s.mac !== undefined) {
    const problem = typeof s.mac === 'string' ? macProblem(s.mac, { allowZero: true }) : 'The MAC must be text.';
    if (problem) throw badInput(problem);
    if (normalizeMac(s.mac as string) !== s.mac) throw badInput(`Write the MAC in lower case with colons: ${normalizeMac(s.mac as string)}.`);
  }
  const range = (v: unknown, what: string, max: number): void => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > max) throw badInput(`${what} must be a whole number from 0 to ${max}, not ${JSON.stringify(v)}.`);
  };
  if (s.vlan !== undefined) range(s.vlan, 'The VLAN', 4095);
  if (s.qos !== undefined) {
    range(s.qos, 'The QoS priority', 7);
    if (s.vlan === undefined) throw badInput('A QoS priority goes with a VLAN.');
  }
  for (const k of ['trust', 'spoofCheck'] as const) if (s[k] !== undefined && typeof s[k] !== 'boolean') throw badInput(`${k} must be on or off.`);
  if (s.linkState !== undefined && !['auto', 'enable', 'disable'].includes(s.linkState as string)) throw badInput('Link state must be auto, enable or disable.');
  return s as VfChange;
}

/** The `ip link set ... vf N` arguments for a change, in the order ip documents them. */
export function vfArgs(c: VfChange): string[] {
  const onOff = (b: boolean) => (b ? 'on' : 'off');
  return [
    ...(c.mac !== undefined ? ['mac', c.mac] : []),
    ...(c.vlan !== undefined ? ['vlan', String(c.vlan), ...(c.qos !== undefined ? ['qos', String(c.qos)] : [])] : []),
    ...(c.spoofCheck !== undefined ? ['spoofchk', onOff(c.spoofCheck)] : []),
    ...(c.trust !== undefined ? ['trust', onOff(c.trust)] : []),
    ...(c.linkState !== undefined ? ['state', c.linkState] : []),
  ];
}
