/**
 * apply-boot-config: the IOMMU wizard's executor. The op carries only the intent
 * and the digest of what the user was shown; everything written comes from detecting the boot
 * setup under ctx.root and planning again here (electron/host/iommu), so the helper only ever
 * writes what its own planner decides. Order: back up the files edited in place (0600, under
 * /var/lib/passthru/iommu-backup), write each file atomically, `sh -n` every shell file, run the
 * regenerate commands (through `chroot ROOT` when the root is not `/`, ops/op-context.ts runIn; left
 * to the user, as the plan said, when that tree lacks them). Every file is read and written
 * through ConfinedFs, so a link in a tree never leads a write out of it. On any failure every
 * file is put back byte for byte from what was read before, the regenerate commands are run
 * again (best effort, reported), and the op fails with the command's output tail.
 */
import * as z from 'zod/mini';
import { iommuIntentSchema } from '#shared/change-schemas';
import { PassthruError, badInput } from '#shared/errors';
import type { IommuIntent, OpCall } from '#shared/plan';
import { CommandError, formatArgv } from '../exec/run-command';
import { BOOT_TOOLS, detectBootSetup } from '../iommu/detect';
import { bootConfigDigest } from '../iommu/digest';
import { isManagedArg, isRestorableArg, planIommuDisable, planIommuEnable, type IommuPlan } from '../iommu/plan';
import { isShellFile } from '../iommu/to-plan';
import * as P from '../iommu/paths';
import { files, runIn, type OpContext, type OpHandler } from './op-context';

type Op = Extract<OpCall, { verb: 'apply-boot-config' }>;

/** Where the planner may write; anything else is a bug, refused before touching the disk. */
const WRITABLE = [
  P.GRUB_DEFAULTS,
  `${P.GRUB_DROPIN_DIR}/`,
  P.KERNEL_CMDLINE,
  P.INITRAMFS_TOOLS_MODULES,
  '/etc/dracut.conf.d/',
  P.MKINITCPIO_CONF,
  `${P.MKINITCPIO_DROPIN_DIR}/`,
  '/etc/modules-load.d/',
];
/** What a plan's commands may run: the boot tools the planner looks up, but not the shell (used only for `sh -n`, a syntax check). */
const COMMANDS = new Set(BOOT_TOOLS.filter((tool) => tool !== 'sh'));
/** pkexec clears PATH; the boot tools live in the sbin directories. */
const COMMAND_ENV = { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' };
/** Regenerating an initramfs for every kernel can take minutes. */
const COMMAND_TIMEOUT_MS = 15 * 60_000;
const TAIL_LINES = 15;

const bad = (message: string) => badInput(message, 'Plan the change again.');

function checkIntent(intent: unknown): IommuIntent {
  const i = intent as Partial<IommuIntent> | null;
  if (i === null || typeof i !== 'object' || Array.isArray(i)) throw bad('The boot-configuration change has no intent.');
  const keys = Object.keys(i).sort().join(',');
  if (!['action,earlyVfio,pt', 'action,earlyVfio,only,pt', 'action,earlyVfio,only,pt,restore'].includes(keys))
    throw bad(`The boot-configuration intent has unexpected fields (${keys}).`);
  if (i.action !== 'enable' && i.action !== 'disable') throw bad(`${JSON.stringify(i.action)} is neither enable nor disable.`);
  if (typeof i.pt !== 'boolean' || typeof i.earlyVfio !== 'boolean') throw bad('iommu=pt and early VFIO must each be on or off.');
  if (i.only === undefined) return { action: i.action, pt: i.pt, earlyVfio: i.earlyVfio };
  const only: unknown = i.only;
  if (i.action !== 'disable' || !Array.isArray(only) || only.some((a) => typeof a !== 'string' || !isManagedArg(a)) || new Set(only).size !== only.length) {
    throw bad('Only a disable may be limited, and only to arguments Passthru adds.');
  }
  if (i.restore === undefined) return { action: i.action, pt: i.pt, earlyVfio: i.earlyVfio, only: only as string[] };
  const restore: unknown = i.restore;
  if (!Array.isArray(restore) || restore.some((a) => typeof a !== 'string' || !isRestorableArg(a)) || new Set(restore).size !== restore.length) {
    throw bad('An undo may only put back what enabling takes out (intel_iommu=off, amd_iommu=off, iommu=off).');
  }
  return { action: i.action, pt: i.pt, earlyVfio: i.earlyVfio, only: only as string[], restore: restore as string[] };
}

/** The executor's own plan for the intent, on the host as it is now; throws unless it may be applied. */
export function replanBootConfig(op: Op, ctx: OpContext): IommuPlan {
  const intent = checkIntent(op.intent);
  if (op.digest !== null && (typeof op.digest !== 'string' || !/^[0-9a-f]{64}$/.test(op.digest))) throw bad('The plan digest is not a sha256.');
  const setup = detectBootSetup(ctx.fs);
  const plan =
    intent.action === 'enable'
      ? planIommuEnable(setup, { pt: intent.pt, earlyVfio: intent.earlyVfio })
      : planIommuDisable(setup, intent.only ? { only: intent.only, restore: intent.restore, earlyVfio: intent.earlyVfio } : {});
  if (plan.refusal) throw new PassthruError('REFUSED', plan.refusal.message, plan.refusal.remedy);
  if (op.digest !== null && bootConfigDigest(plan) !== op.digest) {
    throw new PassthruError('REFUSED', 'The boot configuration changed since the plan was shown; nothing was changed.', 'Review the new plan and apply it.');
  }
  for (const f of plan.files) {
    if (!WRITABLE.some((w) => (w.endsWith('/') ? f.path.startsWith(w) && !f.path.slice(w.length).includes('/') : f.path === w))) {
      throw new PassthruError('INTERNAL', `Refusing to write ${f.path}: not a boot-configuration file Passthru edits.`, null);
    }
  }
  for (const b of plan.backups) {
    if (b.backup !== P.backupPathFor(b.path)) throw new PassthruError('INTERNAL', `Refusing the backup path ${b.backup}.`, null);
  }
  for (const argv of plan.commands) {
    if (!COMMANDS.has(argv[0] ?? '')) throw new PassthruError('INTERNAL', `Refusing to run ${formatArgv(argv)}: not a boot tool.`, null);
  }
  return plan;
}

function tail(text: string): string {
  return text.trimEnd().split('\n').slice(-TAIL_LINES).join('\n');
}

function outputOf(err: unknown): string {
  if (err instanceof CommandError) return tail(`${err.stdout}${err.stdout && err.stderr ? '\n' : ''}${err.stderr}`);
  return err instanceof Error ? err.message : String(err);
}

/** A failed apply-boot-config: the files are already back as they were (the engine need not undo it). */
export class BootConfigRestoredError extends PassthruError {
  readonly selfRestored = true;
}

/** The plans run by run(), for verify() to check against (same op object). */
const applied = new WeakMap<object, IommuPlan>();

interface Original {
  path: string;
  bytes: Buffer | null;
  mode: number;
}

function readOriginal(ctx: OpContext, inside: string): Original {
  const bytes = files(ctx).readFile(inside);
  return { path: inside, bytes, mode: bytes === null ? 0o644 : (files(ctx).stat(inside)?.mode ?? 0o644) & 0o7777 };
}

function putBack(ctx: OpContext, o: Original): void {
  if (o.bytes === null) files(ctx).unlink(o.path);
  else files(ctx).writeFile(o.path, o.bytes, { mode: o.mode });
}

async function run(ctx: OpContext, argv: readonly string[]): Promise<void> {
  await runIn(ctx, argv, 'files', { env: COMMAND_ENV, timeoutMs: COMMAND_TIMEOUT_MS });
}

export const applyBootConfig: OpHandler<'apply-boot-config'> = {
  verb: 'apply-boot-config',
  schema: z.strictObject({ verb: z.literal('apply-boot-config'), intent: iommuIntentSchema, digest: z.nullable(z.string().check(z.regex(/^[0-9a-f]{64}$/))) }),
  scope: 'files',
  describe(op) {
    const i = op.intent;
    if (i.action === 'enable') {
      const extras = [...(i.pt ? ['iommu=pt'] : []), ...(i.earlyVfio ? ['the VFIO modules in the initramfs'] : [])];
      return `Turn the IOMMU on in the boot configuration${extras.length ? ` (with ${extras.join(' and ')})` : ''}`;
    }
    const what = i.only ? i.only.join(' ') : 'every IOMMU argument Passthru adds';
    const back = i.restore?.length ? `, put ${i.restore.join(' ')} back` : '';
    return `Remove ${what} from the boot configuration${back}${i.earlyVfio ? ', and the VFIO modules from the initramfs' : ''}`;
  },
  // The files and commands depend on the boot setup, which the op detects when it runs; a plan
  // that knows them (the IOMMU wizard's, an undo's) shows them instead of this line.
  shell: (op) => [
    formatArgv([
      'passthru',
      'iommu',
      op.intent.action,
      ...(op.intent.action === 'enable' && op.intent.pt ? ['--pt'] : []),
      ...(op.intent.action === 'enable' && op.intent.earlyVfio ? ['--early-vfio'] : []),
      '--yes',
    ]),
  ],
  validate(op, ctx) {
    const plan = replanBootConfig(op, ctx);
    // A tree whose links would take a write out of it (or into nothing) is refused now, before
    // any step runs, rather than half-way through.
    for (const p of [...plan.files.map((f) => f.path), ...plan.backups.map((b) => b.backup)]) files(ctx).checkWritable(p);
  },

  async run(op, ctx) {
    const plan = replanBootConfig(op, ctx);
    applied.set(op, plan);
    if (plan.noop) return;
    // What is there now, byte for byte: the files to write and the backup slots.
    const originals = plan.files.map((f) => readOriginal(ctx, f.path));
    for (const o of originals) {
      const before = plan.files.find((f) => f.path === o.path)?.before ?? null;
      if ((o.bytes === null ? null : o.bytes.toString('utf8')) !== before) {
        throw new PassthruError('REFUSED', `${o.path} changed while the plan was being applied; nothing was changed.`, 'Plan the change again.');
      }
    }
    const backupSlots = plan.backups.map((b) => readOriginal(ctx, b.backup));
    const touched: Original[] = [];
    const restore = async (why: string, detail: string | null, regenerate = false): Promise<never> => {
      const problems: string[] = [];
      for (const o of [...touched].reverse()) {
        try {
          putBack(ctx, o);
        } catch (err) {
          problems.push(`${o.path} could not be restored (${err instanceof Error ? err.message : String(err)})`);
        }
      }
      const filesBack = problems.length === 0;
      let regenerated = 0;
      if (filesBack && regenerate) {
        for (const argv of plan.commands) {
          try {
            await run(ctx, argv);
            regenerated++;
          } catch (err) {
            problems.push(`re-running ${formatArgv(argv)} on the restored files failed too (${outputOf(err).split('\n').pop() ?? ''})`);
            break;
          }
        }
      }
      const after = filesBack
        ? `Every file was put back as it was${regenerate && regenerated === plan.commands.length ? ' and the boot configuration regenerated from it' : ''}.`
        : 'Putting the files back did not complete.';
      const message = `${why} ${after}${problems.length ? ` But ${problems.join('; ')}.` : ''}`;
      const remedy =
        filesBack && problems.length === 0
          ? 'Nothing was changed. Fix the cause shown and try again.'
          : `Check ${plan.files.map((f) => f.path).join(', ')} and run ${plan.commands.map((c) => formatArgv(c)).join(' && ')} by hand before rebooting.`;
      if (filesBack) throw new BootConfigRestoredError('FAILED', message, remedy, detail);
      throw new PassthruError('FAILED', message, remedy, detail);
    };

    try {
      plan.backups.forEach((b, i) => {
        const src = originals.find((o) => o.path === b.path);
        if (!src || src.bytes === null) throw new Error(`${b.path} is not there to back up`);
        touched.push(backupSlots[i] as Original);
        files(ctx).writeFile(b.backup, src.bytes, { mode: 0o600, dirMode: 0o700 });
      });
      for (const [i, f] of plan.files.entries()) {
        const o = originals[i] as Original;
        touched.push(o);
        if (f.after === null) files(ctx).unlink(f.path);
        else files(ctx).writeFile(f.path, f.after, { mode: o.bytes === null ? 0o644 : o.mode });
      }
    } catch (err) {
      return restore(`Writing the boot configuration failed: ${err instanceof Error ? err.message : String(err)}.`, null);
    }
    for (const f of plan.files.filter((x) => x.after !== null && isShellFile(x.path))) {
      try {
        // Without a shell in the tree, this machine's own checks the syntax of the text it is
        // given on stdin (sh -n runs nothing, and opens no path of the tree).
        if (plan.manual) await runIn(ctx, ['sh', '-n'], 'local', { input: f.after ?? '', env: COMMAND_ENV, timeoutMs: COMMAND_TIMEOUT_MS });
        else await run(ctx, ['sh', '-n', f.path]);
      } catch (err) {
        return restore(`The shell refused the syntax of the new ${f.path}, so it was not used.`, outputOf(err));
      }
    }
    // A tree without the tools: the plan said the commands are the user's to run.
    for (const argv of plan.manual ? [] : plan.commands) {
      try {
        await run(ctx, argv);
      } catch (err) {
        const out = outputOf(err);
        const why =
          err instanceof CommandError && err.failure === 'not-found'
            ? `${argv[0] ?? ''} is not installed${ctx.root === '/' ? '' : ` in ${ctx.root}`}, so the boot configuration could not be regenerated.`
            : `${formatArgv(argv)} failed${err instanceof CommandError && err.exitCode !== null ? ` (exit ${err.exitCode})` : ''}${out ? `: ${out.split('\n').pop() ?? ''}` : ''}.`;
        return restore(why, out || null, true);
      }
    }
  },

  verify(op, ctx) {
    const plan = applied.get(op);
    if (!plan) {
      // Not run here (a journal replay): what was asked must now be a no-op.
      try {
        const again = replanBootConfig({ ...op, digest: null }, ctx);
        return again.noop ? null : 'The boot configuration does not say what was asked yet.';
      } catch (err) {
        return err instanceof Error ? err.message : String(err);
      }
    }
    for (const f of plan.files) {
      const now = readOriginal(ctx, f.path).bytes;
      if ((now === null ? null : now.toString('utf8')) !== f.after) return `${f.path} does not hold what was written.`;
    }
    // Left to the user, the regenerated files are not expected to change yet.
    for (const v of plan.manual ? [] : plan.verify) {
      for (const p of v.paths) {
        if (p.startsWith('(')) continue; // "(each ESP)": not one path to read
        const why = checkBootFiles(ctx, p, v.contains, v.lacks);
        if (why) return `${v.what}: ${why}`;
      }
    }
    return null;
  },
};

/** Kernel-argument lines of a generated boot file: GRUB's `linux`, BLS `options`. */
function argLines(text: string): string[][] {
  const lines = text.split('\n').map((l) => l.trim().split(/\s+/));
  return lines.filter((w) => ['linux', 'linuxefi', 'linux16', 'options'].includes(w[0] ?? ''));
}

function checkBootFiles(ctx: OpContext, inside: string, contains: string[], lacks: string[]): string | null {
  const st = files(ctx).stat(inside);
  if (st === null) return `${inside} does not exist.`;
  const paths = st.isDirectory() ? (files(ctx).list(inside) ?? []).filter((n) => n.endsWith('.conf')).map((n) => `${inside}/${n}`) : [inside];
  const lines = paths.flatMap((f) => argLines(files(ctx).readText(f) ?? ''));
  if (lines.length === 0) return `${inside} has no kernel command line.`;
  const missing = contains.find((a) => !lines.some((l) => l.includes(a)));
  if (missing) return `no entry carries ${missing}.`;
  const left = lacks.find((a) => lines.some((l) => l.includes(a)));
  return left ? `an entry still carries ${left}.` : null;
}
