/**
 * Schemas for everything the privileged side reads from outside itself: the intents a caller
 * sends (through the pkexec helper or in-process) and the op calls a journal file holds. The
 * shapes are checked here, strictly (an unknown key, a `null` op or a `__proto__` verb is bad
 * input, not an internal error); the meaning — does the device exist, is the driver allowed —
 * is checked by the planners and the ops' own validate().
 *
 * zod/mini rather than zod: the helper runs on the system's node (18) and is started once per
 * change, so it carries the small tree-shaken build.
 */
import * as z from 'zod/mini';
import { IFNAME_PATTERN, VM_NAME_PATTERN } from './vm-names';
import { PassthruError } from './errors';
import type { ChangeIntent, ChangeRequest, OpCall } from './plan';
import { KERNEL_CHOOSES } from './plan';
import { PCI_ADDRESS } from './pci-address';

const address = z.string().check(z.regex(PCI_ADDRESS));
/** Addresses as a user may type them (short form, upper case); the planners normalise and check them. */
const addressInput = z.string().check(z.regex(/^[0-9A-Fa-f:.]{1,16}$/));
const driver = z.string().check(z.regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$/));
const uid = z.int().check(z.minimum(0), z.maximum(0xfffffffe));
const count = z.int().check(z.minimum(0), z.maximum(0xffff));
const ifname = z.string().check(z.regex(IFNAME_PATTERN));
export const JOURNAL_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
const journalId = z.string().check(z.regex(JOURNAL_ID_PATTERN));

export const vfChangeSchema = z.strictObject({
  mac: z.optional(z.string().check(z.maxLength(17))),
  vlan: z.optional(z.int().check(z.minimum(0), z.maximum(4095))),
  qos: z.optional(z.int().check(z.minimum(0), z.maximum(7))),
  trust: z.optional(z.boolean()),
  spoofCheck: z.optional(z.boolean()),
  linkState: z.optional(z.enum(['auto', 'enable', 'disable'])),
});

const iommuIntent = z.strictObject({
  action: z.enum(['enable', 'disable']),
  pt: z.boolean(),
  earlyVfio: z.boolean(),
  only: z.optional(z.array(z.string().check(z.maxLength(64))).check(z.maxLength(8))),
  restore: z.optional(z.array(z.string().check(z.maxLength(64))).check(z.maxLength(8))),
});

/** Every op verb, exactly as shared/plan.ts OpCall declares it. */
export const opCallSchema = z.discriminatedUnion('verb', [
  z.strictObject({ verb: z.literal('set-driver-override'), address, driver: z.nullable(driver) }),
  z.strictObject({ verb: z.literal('unbind'), address, driver }),
  z.strictObject({ verb: z.literal('probe'), address, expectDriver: z.union([z.null(), z.literal(KERNEL_CHOOSES), driver]) }),
  z.strictObject({ verb: z.literal('load-module'), module: z.literal('vfio-pci') }),
  z.strictObject({ verb: z.literal('set-vfio-owner'), group: count, uid, gid: uid }),
  z.strictObject({ verb: z.literal('write-persistence'), address, driver: z.literal('vfio-pci') }),
  z.strictObject({ verb: z.literal('remove-persistence'), address }),
  z.strictObject({ verb: z.literal('set-sriov-numvfs'), address, count }),
  z.strictObject({ verb: z.literal('set-sriov-autoprobe'), address, enabled: z.boolean() }),
  z.strictObject({ verb: z.literal('set-vf'), address, vf: count, settings: vfChangeSchema }),
  z.strictObject({ verb: z.literal('write-sriov-persistence'), address, numVfs: count, autoprobe: z.boolean() }),
  z.strictObject({ verb: z.literal('remove-sriov-persistence'), address }),
  z.strictObject({ verb: z.literal('apply-boot-config'), intent: iommuIntent, digest: z.nullable(z.string().check(z.regex(/^[0-9a-f]{64}$/))) }),
  z.strictObject({ verb: z.literal('create-tap'), tap: ifname, bridge: ifname, uid }),
  z.strictObject({ verb: z.literal('remove-tap'), tap: ifname }),
]);

export const changeIntentSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('assign'), address: addressInput, group: z.boolean(), persist: z.boolean(), force: z.boolean(), ownerUid: z.nullable(uid) }),
  z.strictObject({ kind: z.literal('release'), address: addressInput }),
  z.strictObject({
    kind: z.literal('sriov'),
    address: addressInput,
    numVfs: count,
    autoprobe: z.nullable(z.boolean()),
    persist: z.nullable(z.boolean()),
    force: z.boolean(),
  }),
  z.strictObject({ kind: z.literal('vf-config'), address: addressInput, vf: count, settings: vfChangeSchema }),
  z.strictObject({ kind: z.literal('iommu'), action: z.enum(['enable', 'disable']), pt: z.boolean(), earlyVfio: z.boolean() }),
  z.strictObject({
    kind: z.literal('vm-network'),
    vm: z.string().check(z.regex(VM_NAME_PATTERN)),
    create: z.array(z.strictObject({ tap: ifname, bridge: ifname })).check(z.maxLength(16)),
    remove: z.array(ifname).check(z.maxLength(16)),
    uid,
  }),
  z.strictObject({ kind: z.literal('undo'), journalId }),
]);

export const changeRequestSchema = z.strictObject({
  intent: changeIntentSchema,
  digest: z.string().check(z.regex(/^[0-9a-f]{64}$/)),
  confirmText: z.nullable(z.string().check(z.maxLength(64))),
});

/** The first problem zod found, as one plain sentence (no schema dump for the user). */
export function firstProblem(error: z.core.$ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'it does not have the expected shape';
  const where = issue.path.length ? issue.path.map(String).join('.') : 'the request';
  return `${where}: ${issue.message.toLowerCase()}`;
}

function parseOrBad<T>(schema: z.ZodMiniType<T>, data: unknown, what: string): T {
  const r = z.safeParse(schema, data);
  if (!r.success) throw new PassthruError('BAD_INPUT', `The ${what} is malformed (${firstProblem(r.error)}).`, 'Plan the change again in Passthru.');
  return r.data;
}

export function parseChangeIntent(data: unknown): ChangeIntent {
  return parseOrBad(changeIntentSchema, data, 'change') as ChangeIntent;
}

export function parseChangeRequest(data: unknown): ChangeRequest {
  return parseOrBad(changeRequestSchema, data, 'change request') as ChangeRequest;
}

export function isOpCall(data: unknown): data is OpCall {
  return z.safeParse(opCallSchema, data).success;
}
