import { describe, expect, it } from 'vitest';
import { macProblem, normalizeMac, randomLocalMac } from './mac';

describe('VF MAC addresses', () => {
  it('normalizes case and dashes; rejects other shapes', () => {
    expect(normalizeMac('02-AA-bb-CC-dd-0E')).toBe('02:aa:bb:cc:dd:0e');
    for (const bad of ['02:aa:bb:cc:dd', '02:aa:bb:cc:dd:ee:ff', '0g:00:00:00:00:01', '02aabbccddee', '']) expect(normalizeMac(bad)).toBeNull();
  });

  it('refuses multicast, broadcast and (unless clearing) all zeros', () => {
    expect(macProblem('01:00:5e:00:00:01')).toMatch(/multicast/);
    expect(macProblem('ff:ff:ff:ff:ff:ff')).toMatch(/multicast/);
    expect(macProblem('00:00:00:00:00:00')).toMatch(/zeros/);
    expect(macProblem('00:00:00:00:00:00', { allowZero: true })).toBeNull();
    expect(macProblem('52:54:00:12:34:56')).toBeNull();
    expect(macProblem('not a mac')).toMatch(/not a MAC/);
  });

  it('generates unicast, locally administered addresses', () => {
    expect(randomLocalMac((b) => b.fill(0xff))).toBe('fe:ff:ff:ff:ff:ff');
    expect(randomLocalMac((b) => b.fill(0))).toBe('02:00:00:00:00:00');
    for (let i = 0; i < 50; i++) {
      const mac = randomLocalMac();
      expect(macProblem(mac)).toBeNull();
      expect(parseInt(mac.slice(0, 2), 16) & 0x03).toBe(0x02);
    }
  });
});
