/**
 * What `passthru vm ACTION NAME` does, once vm.ts has checked the arguments. Loaded only when
 * a vm command runs: it brings the profile schema (zod), QMP and qemu code, which every other
 * command would otherwise pay for at start-up.
 */
import { existsSync, statSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import { ProfileStore, resolveVmDirs } from '../../host/vm/profile-store';
import { VmSupervisor } from '../../host/vm/vm-supervisor';
import { makeService } from '../change-support';
import { plannedTaps } from '../../host/vm/tap-plans';
import { exportVm } from '../../host/vm/vm-export';
import { findOvmf } from '../../host/vm/vm-host';
import { RootFs } from '../../host/fs/root-fs';
import { scanHost } from '../../host/scan';
import { resolveRoot, usageError, type CliIo, type ParsedArgs } from '../command-line';

const bad = (message: string) => usageError('vm', message);
import type { Action } from './vm';
import { profileFromArgs } from './vm-profile-args';
import { fixCommand, formatChecks, formatList, formatStatus } from './vm-format';
import { VmCheckRefusal } from '../../host/vm/vm-checks';
import { PassthruError } from '#shared/errors';
import { formatArgv } from '#shared/shell-quote';

/** --config-dir/--runtime-dir: made on first use (like the XDG defaults), so they need not exist yet. */
function vmDir(value: string | boolean | undefined, what: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '') throw bad(`--${what} needs a directory path.`);
  const dir = resolvePath(value);
  if (existsSync(dir) && !statSync(dir).isDirectory()) throw bad(`--${what} ${dir} is not a directory.`);
  return dir;
}

function supervisor(v: ParsedArgs['values']): VmSupervisor {
  const dirs = resolveVmDirs({ configDir: vmDir(v['config-dir'], 'config-dir'), runtimeDir: vmDir(v['runtime-dir'], 'runtime-dir') });
  const accel = v.accel === undefined ? 'auto' : v.accel;
  if (accel !== 'auto' && accel !== 'kvm' && accel !== 'tcg') throw bad(`--accel must be auto, kvm or tcg, not ${JSON.stringify(accel)}.`);
  const root = resolveRoot(v.root);
  // Taps are privileged changes like any other: planned, journaled (--state-dir), undoable —
  // on this machine, whatever tree --root reads profiles' devices from.
  const changes = makeService({ 'state-dir': v['state-dir'] });
  return new VmSupervisor({
    store: new ProfileStore(dirs),
    root,
    accel,
    taps: plannedTaps(changes, () => new RootFs('/')),
    // Tests set this so a NAT NIC never reaches beyond the guest (`-netdev user,restrict=on`).
    restrictNat: process.env.PASSTHRU_RESTRICT_NAT === '1',
  });
}

function seconds(value: string | boolean | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !/^\d+(\.\d+)?$/.test(value)) throw bad(`--timeout must be a number of seconds, not ${JSON.stringify(value)}.`);
  return Math.round(Number(value) * 1000);
}

function print(io: CliIo, json: boolean, data: unknown, text: string): void {
  io.out(json ? `${JSON.stringify(data, null, 2)}\n` : text.endsWith('\n') ? text : `${text}\n`);
}

export async function runAction(action: Action, name: string, args: ParsedArgs, io: CliIo): Promise<void> {
  const v = args.values;
  const json = v.json === true;
  const sup = supervisor(v);
  switch (action) {
    case 'create': {
      const profile = await profileFromArgs(name, args, () => scanHost(new RootFs(resolveRoot(v.root)), { processes: false }));
      if (profile.firmware === 'ovmf' && !findOvmf()) {
        io.err('passthru: note: OVMF is not installed yet; install it (Debian/Ubuntu: `apt install ovmf`) before starting this VM.\n');
      }
      const file = sup.create(profile);
      print(io, json, { created: file, profile }, `Created VM ${name} (${file}). Start it with \`${formatArgv(['passthru', 'vm', 'start', name])}\`.`);
      return;
    }
    case 'start': {
      if (v['dry-run']) {
        const plan = await sup.plan(name, { paused: v.paused === true });
        const { scan: _scan, profile: _profile, ...rest } = plan;
        print(
          io,
          json,
          { ...rest, argv: plan.command.argv, notes: plan.command.notes },
          [
            formatChecks(plan.checks),
            ...plan.checks
              .filter((c) => c.status === 'fail')
              .slice(0, 1)
              .map((c) => `Start would be refused: ${c.detail}`),
            ...plan.command.notes.map((n) => `Note: ${n}`),
            '',
            'qemu command line:',
            plan.shell,
            '',
          ].join('\n'),
        );
        return;
      }
      const r = await sup.start(name, { paused: v.paused === true }).catch((err: unknown) => {
        // The check's words name the action; on the command line, also the command that does it.
        if (err instanceof VmCheckRefusal && err.check.fix)
          throw new PassthruError(err.code, err.message, `${err.remedy ?? ''} Run: ${fixCommand(err.check.fix)}`.trim(), err.detail);
        throw err;
      });
      const where = r.status.vnc ? `; VNC display at ${r.status.vnc}` : '';
      print(
        io,
        json,
        { started: name, notes: r.notes, status: r.status },
        [
          ...r.notes.map((n) => `Note: ${n}`),
          `Started VM ${name} (pid ${r.status.pid ?? '?'}, ${r.status.accel ?? '?'}, ${r.status.state})${where}.${v.paused ? ` Run \`${formatArgv(['passthru', 'vm', 'resume', name])}\` to start its CPUs.` : ''}`,
        ].join('\n'),
      );
      return;
    }
    case 'status': {
      const s = await sup.status(name);
      print(io, json, s, formatStatus(s));
      return;
    }
    case 'stop': {
      const r = await sup.stop(name, { force: v.force === true, timeoutMs: seconds(v.timeout) });
      const words = {
        powerdown: 'shut down by its guest (ACPI power button)',
        quit: 'forced off (qemu quit)',
        sigterm: 'forced off (SIGTERM)',
        sigkill: 'killed (SIGKILL)',
        'not-running': 'was not running',
      }[r.how];
      print(io, json, { name, ...r }, [...r.notes.map((n) => `Note: ${n}`), `VM ${name} ${words}.`].join('\n'));
      return;
    }
    case 'pause':
    case 'resume': {
      if (action === 'pause') await sup.pause(name);
      else await sup.resume(name);
      const s = await sup.status(name);
      print(io, json, { name, state: s.state }, `VM ${name} is ${s.state}.`);
      return;
    }
    case 'list': {
      const entries = sup.list();
      print(io, json, entries, formatList(entries));
      return;
    }
    case 'delete':
      sup.delete(name);
      print(io, json, { deleted: name }, `Deleted VM ${name} (its disks are left alone).`);
      return;
    case 'export': {
      const format = v.format;
      if (format !== 'script' && format !== 'libvirt') throw bad('--format must be script or libvirt.');
      const { content } = await exportVm(sup, name, format);
      if (json) print(io, true, { name, format, content }, '');
      else io.out(content);
      return;
    }
  }
}
