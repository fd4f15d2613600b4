/**
 * Test-only: a throwaway self-signed certificate for 127.0.0.1 and localhost (openssl, EC
 * P-256, valid for a day), for `passthru serve --tls-cert --tls-key` in the serve tests, the
 * GUI spec over TLS and the lab GUI.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

export function makeCertificate(dir: string): { cert: string; key: string } {
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  const r = spawnSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
      '-keyout',
      key,
      '-out',
      cert,
    ],
    { encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(`openssl could not make a test certificate (install openssl): ${r.error?.message ?? r.stderr}`);
  return { cert, key };
}
