/** The SSH session's host address, from the environment or, under sudo, from an ancestor's. */
import { describe, expect, it } from 'vitest';
import { serverAddressOf, sshSessionAddress } from './ssh-session';

describe('sshSessionAddress', () => {
  it('reads the server address of SSH_CONNECTION, IPv4-mapped addresses as IPv4', () => {
    expect(serverAddressOf('203.0.113.9 52314 192.0.2.2 22')).toBe('192.0.2.2');
    expect(serverAddressOf('2001:db8::9 52314 2001:db8::2 22')).toBe('2001:db8::2');
    expect(serverAddressOf('::ffff:203.0.113.9 1 ::ffff:192.0.2.2 22')).toBe('192.0.2.2');
    expect(serverAddressOf('garbage')).toBeNull();
    expect(serverAddressOf('a b $(id) 22')).toBeNull();
  });

  it('under sudo (no SSH_CONNECTION here) asks the nearest ancestor that has it', () => {
    // 300 (sudo, no SSH_CONNECTION) → 200 (the login shell, with it) → 100 (sshd).
    const proc: Record<string, string> = {
      '/proc/300/environ': 'HOME=/root\0SUDO_USER=me\0',
      '/proc/300/stat': '300 (sudo) S 200 300 200 0',
      '/proc/200/environ': 'HOME=/home/me\0SSH_CONNECTION=203.0.113.9 52314 192.0.2.2 22\0',
      '/proc/200/stat': '200 (bash (login)) S 100 200 200 0',
    };
    expect(sshSessionAddress({}, 300, (p) => proc[p] ?? null)).toBe('192.0.2.2');
    expect(sshSessionAddress({ SSH_CONNECTION: '203.0.113.9 1 198.51.100.7 22' }, 300, (p) => proc[p] ?? null)).toBe('198.51.100.7');
  });

  it('null on a local terminal: no ancestor has it, and init is never asked', () => {
    const asked: string[] = [];
    const proc: Record<string, string> = { '/proc/50/environ': 'HOME=/root\0', '/proc/50/stat': '50 (bash) S 1 50 50 0' };
    expect(
      sshSessionAddress({}, 50, (p) => {
        asked.push(p);
        return proc[p] ?? null;
      }),
    ).toBeNull();
    expect(asked).not.toContain('/proc/1/environ');
  });
});
