/**
 * Where the SSH connection a command came through reaches this host: the third field of
 * SSH_CONNECTION (`client-ip client-port server-ip server-port`). `sudo` drops that variable, so
 * when this process lacks it the nearest ancestor that has it is asked (sudo's own parent, the
 * user's shell under sshd; root may read any /proc/PID/environ). A network change uses it to
 * say whether it would cut the very session that asked.
 */
import { readFileSync } from 'node:fs';

/** The server address in an SSH_CONNECTION value, or null. */
export function serverAddressOf(value: string | undefined): string | null {
  const server = value?.trim().split(/\s+/)[2];
  return server !== undefined && /^[0-9A-Fa-f:.]{2,45}$/.test(server) ? server.replace(/^::ffff:(?=\d+\.)/, '') : null;
}

type ReadProc = (path: string) => string | null;

const readProc: ReadProc = (path) => {
  try {
    return readFileSync(path, 'latin1');
  } catch {
    return null;
  }
};

/** The parent of a process from /proc/PID/stat (the field after the state, which follows the last ')' of the name). */
function parentOf(pid: number, read: ReadProc): number | null {
  const stat = read(`/proc/${pid}/stat`);
  const fields = stat?.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ppid = Number(fields?.[1]);
  return Number.isInteger(ppid) && ppid > 0 ? ppid : null;
}

export function sshSessionAddress(env: NodeJS.ProcessEnv = process.env, ppid: number = process.ppid, read: ReadProc = readProc): string | null {
  if (env.SSH_CONNECTION !== undefined) return serverAddressOf(env.SSH_CONNECTION);
  let pid: number | null = ppid;
  // A few levels are enough (sudo, a shell or two); init is never asked.
  for (let depth = 0; pid !== null && pid > 1 && depth < 16; depth++) {
    const environ = read(`/proc/${pid}/environ`);
    const entry = environ?.split('\0').find((e) => e.startsWith('SSH_CONNECTION='));
    if (entry !== undefined) return serverAddressOf(entry.slice('SSH_CONNECTION='.length));
    pid = parentOf(pid, read);
  }
  return null;
}
