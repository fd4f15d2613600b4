/**
 * The tap device a bridge NIC needs: created owned by the user who runs qemu, attached to
 * the bridge and up; removed again when the VM stops. Creating and deleting network devices
 * is privileged: as root (CLI under sudo, the lab, the tests) it runs in-process through the
 * exec seam; without root it is refused with the command to run.
 * TODO(privileged helper): route tap-add/tap-del through the pkexec helper's fixed verbs so
 * the GUI (never root) can start a bridge VM; until then the GUI must ask for `sudo`.
 */
import { PassthruError } from '../../../shared/errors';
import { IFNAME_PATTERN } from '../../../shared/vm';
import type { HostFs } from '../fs/host-fs';
import type { CommandRunner } from '../exec/run-command';
import { formatArgv } from '../../../shared/shell-quote';

export function tapAddCommands(tap: string, bridge: string, uid: number): string[][] {
  return [
    ['ip', 'tuntap', 'add', 'dev', tap, 'mode', 'tap', 'user', String(uid)],
    ['ip', 'link', 'set', 'dev', tap, 'master', bridge, 'up'],
  ];
}

export function tapDelCommand(tap: string): string[] {
  return ['ip', 'link', 'delete', 'dev', tap];
}

function checkName(name: string): void {
  if (!IFNAME_PATTERN.test(name)) throw new PassthruError('BAD_INPUT', `${JSON.stringify(name)} is not an interface name.`, null);
}

/**
 * Makes `tap` exist on `bridge`. Returns whether it was created (and so is ours to delete);
 * an existing tap (made by an administrator for this user) is only attached.
 */
export async function ensureTap(fs: HostFs, run: CommandRunner, tap: string, bridge: string, uid: number): Promise<boolean> {
  checkName(tap);
  checkName(bridge);
  const exists = fs.exists(`/sys/class/net/${tap}`);
  if (exists && !fs.exists(`/sys/class/net/${tap}/tun_flags`)) {
    throw new PassthruError('REFUSED', `An interface named ${tap} exists and is not a tap device.`, `Remove or rename it (\`${formatArgv(['sudo', 'ip', 'link', 'delete', tap])}\`).`);
  }
  const commands = tapAddCommands(tap, bridge, uid);
  if (process.getuid?.() !== 0) {
    if (exists && fs.readLink(`/sys/class/net/${tap}/master`)?.endsWith(`/${bridge}`)) return false;
    throw new PassthruError(
      'REFUSED',
      `Creating the tap device ${tap} on bridge ${bridge} needs root.`,
      `Start the VM with sudo, or have an administrator run: ${(exists ? commands.slice(1) : commands).map((c) => formatArgv(c)).join(' && ')}`,
    );
  }
  if (!exists) await run(commands[0] ?? []);
  try {
    await run(commands[1] ?? []);
  } catch (err) {
    if (!exists) await run(tapDelCommand(tap)).catch(() => undefined);
    throw err;
  }
  return !exists;
}

/** Removes a tap we created; a tap already gone is fine. */
export async function removeTap(fs: HostFs, run: CommandRunner, tap: string): Promise<void> {
  checkName(tap);
  if (!fs.exists(`/sys/class/net/${tap}`)) return;
  await run(tapDelCommand(tap));
}

/** How a VM gets its taps: made and removed around its qemu by the supervisor. */
export interface TapManager {
  /** Makes each tap exist on its bridge; returns the taps it created (ours to remove later). */
  create(vm: string, taps: { tap: string; bridge: string }[], uid: number): Promise<string[]>;
  remove(vm: string, taps: string[]): Promise<void>;
}

/** In this process, as root (the lab, `sudo passthru vm`): the commands through the exec seam. */
export function inProcessTaps(fs: () => HostFs, run: CommandRunner): TapManager {
  return {
    async create(_vm, taps, uid) {
      const created: string[] = [];
      try {
        for (const t of taps) if (await ensureTap(fs(), run, t.tap, t.bridge, uid)) created.push(t.tap);
      } catch (err) {
        for (const t of created) await removeTap(fs(), run, t).catch(() => undefined);
        throw err;
      }
      return created;
    },
    async remove(_vm, taps) {
      for (const t of taps) await removeTap(fs(), run, t);
    },
  };
}
