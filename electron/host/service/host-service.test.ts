import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HostService } from './host-service';

const SEED = join(__dirname, '../../../e2e/fixtures/seed');

describe('HostService.watchMode', () => {
  it('a snapshot is polled, as before: the kernel’s events are this machine’s, not the snapshot’s', () => {
    const service = new HostService({ root: SEED, pollIntervalMs: 60_000 });
    try {
      expect(service.watchMode).toBe('polling');
    } finally {
      service.dispose();
    }
    expect(service.watchMode).toBe('off');
  });

  it('on the live host, a monitor that cannot start means polling, with the reason, and a change event for the header', async () => {
    const reasons: string[] = [];
    // Monitors run through PATH: an empty PATH is a host without udevadm and ip.
    const path = process.env.PATH;
    process.env.PATH = '/nonexistent';
    let service: HostService | undefined;
    try {
      service = new HostService({ root: SEED, pollIntervalMs: 60_000 });
      service.onChanged((reason) => reasons.push(reason));
      expect(service.watchFallback).toBeNull();
      await service.useLive();
      expect(reasons).toEqual(expect.arrayContaining(['devices', 'source']));
      expect(service.watchMode).toBe('polling');
      expect(service.watchFallback).toMatch(/udevadm monitor .* could not be started/);
      expect(service.pollIntervalMs).toBe(60_000);
    } finally {
      process.env.PATH = path;
      service?.dispose();
    }
  });

  it('is off when polling is off and the root is not the live host', () => {
    const service = new HostService({ root: SEED, pollIntervalMs: 0 });
    expect(service.watchMode).toBe('off');
    service.dispose();
  });
});
