/**
 * The HTTP side of `passthru serve`: the built renderer as static files, exactly as built (no
 * script is added to the page: the page finds the server itself, renderer/src/api.ts), and the
 * headers every answer carries. Every request ends in an answer — a malformed path is 400,
 * anything outside the renderer directory 403, a missing file 404 — and nothing a client sends
 * can throw out of here (the caller turns the unexpected into a 500 for that request alone).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';

/** Longest request target served; browsers stay far below it for this app's paths. */
export const MAX_URL_LENGTH = 4096;

/**
 * On every answer: the page may load only its own scripts and talk only to its own origin, no
 * other page may frame it, and nothing of the address (the token) leaks as a referrer. No
 * CORS header is ever sent, so no other origin may read an answer.
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': "default-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};

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
  res.writeHead(status, { ...SECURITY_HEADERS, 'content-type': 'text/plain; charset=utf-8', ...headers });
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

/** Serves the file a GET or HEAD request names (the caller has checked the method and the session). */
export async function serveStatic(req: IncomingMessage, res: ServerResponse, rendererDir: string): Promise<void> {
  const path = requestPath(req.url);
  if (path === null) {
    plainAnswer(res, 400, 'bad request target: not a path, or not valid percent-encoding');
    return;
  }
  const relative = path === '' ? 'index.html' : path;
  const file = normalize(join(rendererDir, relative));
  if (!file.startsWith(rendererDir + sep)) {
    plainAnswer(res, 403, 'forbidden');
    return;
  }
  const body = await readOrNull(file);
  if (body === null) {
    plainAnswer(res, 404, 'not found');
    return;
  }
  res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': contentTypes[extname(file)] ?? 'application/octet-stream', 'content-length': String(body.length) });
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
