// @ts-check
/**
 * The lab guest's command agent, started by stage2.sh and run by this machine's node inside
 * the guest. It lets the host run many commands in one boot without a shell on the host side.
 *
 * Protocol (see e2e/lab/README.md): newline-delimited JSON on the second serial port
 * (/dev/ttyS1, a unix socket on the host). Only small control messages cross the serial line;
 * a command's stdin, stdout and stderr are files in the writable virtio-9p share mounted at
 * /lab/io, so output size never depends on the UART's speed and the host can stream it by
 * tailing the files.
 *
 *   guest → host  {"t":"hello","uptime":s,"kernel":"6.1.0-..."}           once, when ready
 *   host → guest  {"t":"run","id":N,"argv":[...],"cwd":"/...","env":{...},"stdin":bool}
 *   guest → host  {"t":"exit","id":N,"code":0,"signal":null,"error":null}  when it has ended
 *   host → guest  {"t":"kill","id":N,"signal":"SIGTERM"}                  whole process group
 *   host → guest  {"t":"ping","id":N}  →  {"t":"pong","id":N}
 *
 * Files for command N: /lab/io/run/N.in (written by the host when stdin is true), N.out, N.err.
 * The child runs in its own process group (detached) so a kill reaches everything it started.
 */
'use strict';
const fs = require('node:fs');
const tty = require('node:tty');
const { spawn } = require('node:child_process');

const ttyPath = process.argv[2] ?? '/dev/ttyS1';
const ioDir = process.argv[3] ?? '/lab/io';
const runDir = `${ioDir}/run`;

const input = new tty.ReadStream(fs.openSync(ttyPath, fs.constants.O_RDONLY | fs.constants.O_NOCTTY));
input.setRawMode(true);
const output = new tty.WriteStream(fs.openSync(ttyPath, fs.constants.O_WRONLY | fs.constants.O_NOCTTY));

/** @param {Record<string, unknown>} msg */
function send(msg) {
  output.write(`${JSON.stringify(msg)}\n`);
}

/** @type {Map<number, import('node:child_process').ChildProcess>} */
const children = new Map();

/** @param {any} msg */
function run(msg) {
  const id = Number(msg.id);
  /** @type {number[]} */
  const fds = [];
  const done = (/** @type {number|null} */ code, /** @type {string|null} */ signal, /** @type {string|null} */ error) => {
    for (const fd of fds) {
      try {
        fs.closeSync(fd);
      } catch {
        /* already closed */
      }
    }
    children.delete(id);
    send({ t: 'exit', id, code, signal, error });
  };
  try {
    const stdin = msg.stdin ? fs.openSync(`${runDir}/${id}.in`, 'r') : 'ignore';
    if (typeof stdin === 'number') fds.push(stdin);
    const out = fs.openSync(`${runDir}/${id}.out`, 'w');
    fds.push(out);
    const err = fs.openSync(`${runDir}/${id}.err`, 'w');
    fds.push(err);
    const argv = /** @type {string[]} */ (msg.argv);
    const child = spawn(argv[0] ?? '', argv.slice(1), {
      cwd: msg.cwd || '/',
      env: msg.env,
      stdio: [stdin, out, err],
      detached: true,
    });
    children.set(id, child);
    let settled = false;
    child.on('error', (e) => {
      if (settled) return;
      settled = true;
      done(null, null, `${/** @type {any} */ (e).code ?? 'ERROR'}: ${e.message}`);
    });
    child.on('exit', (code, signal) => {
      if (settled) return;
      settled = true;
      done(code, signal, null);
    });
  } catch (e) {
    done(null, null, `${/** @type {any} */ (e).code ?? 'ERROR'}: ${/** @type {Error} */ (e).message}`);
  }
}

let buffered = '';
input.on('data', (chunk) => {
  buffered += chunk.toString('utf8');
  let nl;
  while ((nl = buffered.indexOf('\n')) >= 0) {
    const line = buffered.slice(0, nl).replace(/\r$/, '');
    buffered = buffered.slice(nl + 1);
    if (!line.trim()) continue;
    let msg;
    try {
      msg = JSON.parse(line);
    } catch {
      send({ t: 'log', message: `agent: ignoring a line that is not JSON: ${line.slice(0, 80)}` });
      continue;
    }
    if (msg.t === 'run') run(msg);
    else if (msg.t === 'kill') {
      const child = children.get(Number(msg.id));
      if (child?.pid) {
        try {
          process.kill(-child.pid, msg.signal || 'SIGTERM');
        } catch {
          child.kill(msg.signal || 'SIGTERM');
        }
      }
    } else if (msg.t === 'ping') send({ t: 'pong', id: msg.id });
  }
});

fs.mkdirSync(runDir, { recursive: true });
const readyFile = process.env.LAB_READY_FILE;
delete process.env.LAB_READY_FILE;
const hello = () =>
  send({
    t: 'hello',
    uptime: Number(fs.readFileSync('/proc/uptime', 'utf8').split(' ')[0]),
    kernel: fs.readFileSync('/proc/sys/kernel/osrelease', 'utf8').trim(),
  });
// stage2.sh starts the agent early and creates the ready file once udev has settled.
if (readyFile) {
  const wait = setInterval(() => {
    if (!fs.existsSync(readyFile)) return;
    clearInterval(wait);
    hello();
  }, 50);
} else hello();
