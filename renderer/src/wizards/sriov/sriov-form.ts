/**
 * The "Set number of VFs…" form as pure functions: the count's validation (with the message
 * shown as the user types) and the request it submits.
 */
import type { SriovInfo } from '#shared/model';
import type { WizardRequest } from '../common/wizard-state';

export type SriovRequest = Extract<WizardRequest, { kind: 'sriov' }>;

/** A whole number parsed from a text field, or why it is not one. */
export function parseWhole(text: string): number | 'empty' | 'negative' | 'not-whole' {
  const t = text.trim();
  if (t === '') return 'empty';
  if (/^-\s*\d+(\.\d*)?$/.test(t)) return 'negative';
  if (!/^\+?\d+$/.test(t)) return 'not-whole';
  return Number(t.replace(/^\+/, ''));
}

/** Why `text` cannot be this PF's number of VFs, or null when it can. */
export function vfCountProblem(text: string, totalVfs: number): string | null {
  const range = `from 0 to ${totalVfs}`;
  const n = parseWhole(text);
  if (n === 'empty') return `Enter a number of VFs ${range}.`;
  if (n === 'negative') return `The number of VFs cannot be negative: enter a number ${range} (0 removes every VF).`;
  if (n === 'not-whole') return `${JSON.stringify(text.trim())} is not a whole number: enter a number ${range}.`;
  if (n > totalVfs) return `This device supports at most ${totalVfs} VFs (its sriov_totalvfs): enter a number ${range}.`;
  return null;
}

export interface SriovFormValues {
  count: string;
  /** "Keep new VFs without a host driver (for VMs)": sriov_drivers_autoprobe off. */
  keepUnbound: boolean;
  /** "Recreate at boot". */
  persist: boolean;
}

/** The form as last submitted (or as the PF is now, on first open). */
export function initialSriovForm(request: SriovRequest, sriov: SriovInfo | null): SriovFormValues {
  const keepUnbound = request.autoprobe !== undefined ? !request.autoprobe : sriov?.driversAutoprobe === false;
  return { count: String(request.numVfs), keepUnbound, persist: request.persist };
}

/**
 * The request the form submits, or null while the count is invalid. `autoprobe` is sent only
 * when the user changed it from what the PF has now, so an untouched box changes nothing.
 */
export function sriovRequestFrom(values: SriovFormValues, address: string, sriov: SriovInfo): SriovRequest | null {
  if (vfCountProblem(values.count, sriov.totalVfs) !== null) return null;
  const numVfs = parseWhole(values.count) as number;
  const keptUnboundNow = sriov.driversAutoprobe === false;
  const request: SriovRequest = { kind: 'sriov', address, numVfs, persist: values.persist, force: false };
  if (values.keepUnbound !== keptUnboundNow) request.autoprobe = !values.keepUnbound;
  return request;
}
