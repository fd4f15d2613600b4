/**
 * The fields of everything the privileged side reads from outside itself: the intents a caller
 * sends (through the pkexec helper or in-process) and the op calls a journal file holds. Each
 * change kind (electron/host/changes/kinds/) and each op (electron/host/ops/) builds its own
 * strict schema from these, so an unknown key, a `null` op or a `__proto__` verb is bad input,
 * not an internal error; the meaning — does the device exist, is the driver allowed — is
 * checked by the planners and the ops' own validate().
 *
 * zod/mini rather than zod: the helper runs on the system's node and is started once per
 * change, so it carries the small tree-shaken build.
 */
import * as z from 'zod/mini';
import { IFNAME_PATTERN } from './vm-names';
import { PCI_ADDRESS } from './pci-address';

/** A full PCI address, as ops carry them. */
export const address = z.string().check(z.regex(PCI_ADDRESS));
/** Addresses as a user may type them (short form, upper case); the planners normalise and check them. */
export const addressInput = z.string().check(z.regex(/^[0-9A-Fa-f:.]{1,16}$/));
export const driver = z.string().check(z.regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$/));
export const uid = z.int().check(z.minimum(0), z.maximum(0xfffffffe));
export const count = z.int().check(z.minimum(0), z.maximum(0xffff));
export const ifname = z.string().check(z.regex(IFNAME_PATTERN));
export const JOURNAL_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
export const journalId = z.string().check(z.regex(JOURNAL_ID_PATTERN));

export const vfChangeSchema = z.strictObject({
  mac: z.optional(z.string().check(z.maxLength(17))),
  vlan: z.optional(z.int().check(z.minimum(0), z.maximum(4095))),
  qos: z.optional(z.int().check(z.minimum(0), z.maximum(7))),
  trust: z.optional(z.boolean()),
  spoofCheck: z.optional(z.boolean()),
  linkState: z.optional(z.enum(['auto', 'enable', 'disable'])),
});

export const iommuIntentSchema = z.strictObject({
  action: z.enum(['enable', 'disable']),
  pt: z.boolean(),
  earlyVfio: z.boolean(),
  only: z.optional(z.array(z.string().check(z.maxLength(64))).check(z.maxLength(8))),
  restore: z.optional(z.array(z.string().check(z.maxLength(64))).check(z.maxLength(8))),
});

/** The first problem zod found, as one plain sentence (no schema dump for the user). */
export function firstProblem(error: z.core.$ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'it does not have the expected shape';
  const where = issue.path.length ? issue.path.map(String).join('.') : 'the request';
  return `${where}: ${issue.message.toLowerCase()}`;
}
