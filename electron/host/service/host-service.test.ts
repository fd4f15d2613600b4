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

  it('is off when polling is off and the root is not the live host', () => {
    const service = new HostService({ root: SEED, pollIntervalMs: 0 });
    expect(service.watchMode).toBe('off');
    service.dispose();
  });
});
