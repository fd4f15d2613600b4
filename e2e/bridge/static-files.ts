/**
 * The bridge's HTTP side: the built renderer as static files, with the bridge's browser half
 * put in front of the app's scripts. Every request ends in an answer — a malformed path is 400,
 * a method other than GET/HEAD 405, anything outside the renderer directory 403, a missing file
 * 404 — and nothing a client sends can throw out of here (the caller turns the unexpected
 * into a 500 for that request alone).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';

export interface StaticSite {
  /** The built renderer (index.html and its assets). */
  rendererDir: string;
  /** The bridge's browser half, served as /__bridge/client.js. */
  clientFile: string;
}

/** Longest request target served; browsers stay far below it for this app's paths. */
export const MAX_URL_LENGTH = 4096;

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
};

/** A status with a one-line plain-text reason; nothing of the request is echoed back. */
export function plainAnswer(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', ...headers });
  res.end(`${text}\n`);
}

/**
 * The path a request names, decoded, relative to the site root ('' for `/`), or null when it
 * cannot name a file: not an origin-form target, bad percent-encoding (`%E0%A4%A`), a NUL
 * or a backslash after decoding.
 */
export function requestPath(target: string | undefined): string | null {
  if (target === undefined || !target.startsWith('/') || target.startsWith('//')) return null;
  const raw = target.split(/[?#]/, 1)[0] ?? '';
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    return null;
  }
  if (/[\0\\]/.test(decoded)) return null;
  return decoded.slice(1);
}

export async function serveStatic(req: IncomingMessage, res: ServerResponse, origin: string, site: StaticSite): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    plainAnswer(res, 405, 'method not allowed: the test bridge only serves files', { allow: 'GET, HEAD' });
    return;
  }
  if ((req.url ?? '').length > MAX_URL_LENGTH) {
    plainAnswer(res, 414, 'request target too long');
    return;
  }
  const path = requestPath(req.url);
  if (path === null) {
    plainAnswer(res, 400, 'bad request target: not a path, or not valid percent-encoding');
    return;
  }
  if (path === '__bridge/client.js') {
    await sendFile(req, res, site.clientFile, contentTypes['.js']!);
    return;
  }
  const relative = path === '' ? 'index.html' : path;
  const file = normalize(join(site.rendererDir, relative));
  if (!file.startsWith(site.rendererDir + sep)) {
    plainAnswer(res, 403, 'forbidden');
    return;
  }
  const type = contentTypes[extname(file)] ?? 'application/octet-stream';
  if (relative !== 'index.html') {
    await sendFile(req, res, file, type);
    return;
  }
  const page = await readOrNull(file);
  if (page === null) {
    plainAnswer(res, 404, 'not found');
    return;
  }
  // Same CSP as the app, plus our own WebSocket origin; the bridge client loads first.
  const ws = origin.replace(/^http/, 'ws');
  const body = page.toString('utf8').replace("connect-src 'self'", `connect-src 'self' ${ws}`).replace('<head>', '<head>\n    <script src="/__bridge/client.js"></script>');
  send(req, res, type, body);
}

async function sendFile(req: IncomingMessage, res: ServerResponse, file: string, type: string): Promise<void> {
  const body = await readOrNull(file);
  if (body === null) plainAnswer(res, 404, 'not found');
  else send(req, res, type, body);
}

function send(req: IncomingMessage, res: ServerResponse, type: string, body: Buffer | string): void {
  res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store', 'content-length': String(Buffer.byteLength(body)) });
  res.end(req.method === 'HEAD' ? undefined : body);
}

/** A file's bytes, or null when it cannot be read (missing, a directory, not readable). */
async function readOrNull(file: string): Promise<Buffer | null> {
  try {
    return await readFile(file);
  } catch {
    return null;
  }
}
