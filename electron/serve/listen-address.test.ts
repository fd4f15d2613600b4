/** `--listen` values, what each reaches, and the Host and Origin rules that follow from it. */
import { describe, expect, it } from 'vitest';
import { isLoopbackIp, parseListen, reachesTheNetwork } from './listen-address';
import { hostRules, originFor } from './origin';

describe('parseListen', () => {
  it('takes IP addresses, localhost and unix:PATH, and tells loopback from the network', () => {
    expect(parseListen('127.0.0.1')).toEqual({ kind: 'tcp', host: '127.0.0.1', loopback: true, wildcard: false });
    expect(parseListen('localhost')).toMatchObject({ loopback: true });
    expect(parseListen('[::1]')).toMatchObject({ host: '::1', loopback: true });
    expect(parseListen('0:0:0:0:0:0:0:1')).toMatchObject({ loopback: true });
    expect(parseListen('127.3.2.1')).toMatchObject({ loopback: true });
    expect(parseListen('::ffff:127.0.0.1')).toMatchObject({ loopback: true });
    expect(parseListen('0.0.0.0')).toMatchObject({ loopback: false, wildcard: true });
    expect(parseListen('::')).toMatchObject({ loopback: false, wildcard: true });
    expect(parseListen('192.168.1.5')).toMatchObject({ loopback: false, wildcard: false });
    expect(parseListen('::ffff:10.0.0.1')).toMatchObject({ loopback: false });
    expect(parseListen('unix:/run/p.sock')).toEqual({ kind: 'unix', path: '/run/p.sock' });
    for (const bad of ['example.com', '127.0.0.256', 'unix:', '1.2.3', 'http://127.0.0.1', '[::1]:8417', '127.0.0.1:8417']) expect(() => parseListen(bad), bad).toThrow(/--listen/);
  });

  it('only a non-loopback TCP address reaches the network', () => {
    expect(reachesTheNetwork(parseListen('127.0.0.1'))).toBe(false);
    expect(reachesTheNetwork(parseListen('unix:/x'))).toBe(false);
    expect(reachesTheNetwork(parseListen('0.0.0.0'))).toBe(true);
    expect(reachesTheNetwork(parseListen('10.0.0.1'))).toBe(true);
    expect(isLoopbackIp('128.0.0.1')).toBe(false);
  });
});

describe('originFor', () => {
  it('on loopback: loopback names on our own port; the origin as the browser writes it', () => {
    const rules = hostRules(parseListen('127.0.0.1'), { tls: false, ownPort: () => 8417, extraNames: ['myhost'] });
    expect(originFor('127.0.0.1:8417', rules)).toBe('http://127.0.0.1:8417');
    expect(originFor('LOCALHOST:8417', rules)).toBe('http://localhost:8417');
    expect(originFor('[::1]:8417', rules)).toBe('http://[::1]:8417');
    for (const host of ['myhost:8417', '127.0.0.1:8418', '127.0.0.1', 'evil.example:8417', '127.0.0.1:8417 ', '', undefined])
      expect(originFor(host, rules), String(host)).toBeNull();
  });

  it('beyond loopback with TLS: also the listen address, the extra names (hostname, certificate), any port; the default port left out', () => {
    const rules = hostRules(parseListen('192.168.1.5'), { tls: true, ownPort: () => 443, extraNames: ['MyHost', '[::1]'] });
    expect(originFor('192.168.1.5', rules)).toBe('https://192.168.1.5');
    expect(originFor('192.168.1.5:443', rules)).toBe('https://192.168.1.5');
    expect(originFor('myhost:9000', rules)).toBe('https://myhost:9000');
    expect(originFor('evil.example', rules)).toBeNull();
    const wildcard = hostRules(parseListen('0.0.0.0'), { tls: true, ownPort: () => 443 });
    expect(originFor('0.0.0.0:443', wildcard)).toBeNull();
  });

  it('on a unix socket: loopback names, any port (ssh -L picks it)', () => {
    const rules = hostRules(parseListen('unix:/x'), { tls: false, ownPort: () => -1, extraNames: ['myhost'] });
    expect(originFor('127.0.0.1:9999', rules)).toBe('http://127.0.0.1:9999');
    expect(originFor('myhost:9999', rules)).toBeNull();
  });
});
