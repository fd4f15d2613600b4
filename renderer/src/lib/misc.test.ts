import { afterEach, describe, expect, it, vi } from 'vitest';
import { PassthruError } from '#shared/errors';
import { sampleNoIommuScan, sampleScan } from '../testing/sample-scan';
import { debounce } from './debounce';
import { toDisplayError } from './display-error';
import { managementReason, sortInterfaces } from './network';
import { overallStatus, readinessSummary } from './readiness';
import { formatHash, parseHash } from './route';

describe('display errors', () => {
  it('keeps code, message and remedy of a PassthruError or its data', () => {
    const e = new PassthruError('ENVIRONMENT', 'No IOMMU.', 'Enable VT-d.', 'ls: empty');
    expect(toDisplayError(e)).toEqual({ code: 'ENVIRONMENT', message: 'No IOMMU.', remedy: 'Enable VT-d.', detail: 'ls: empty' });
    expect(toDisplayError(e.toData()).code).toBe('ENVIRONMENT');
  });

  it('turns a bare Error (as contextBridge delivers it) into a plain sentence', () => {
    const d = toDisplayError(new Error("Error invoking remote method 'host:scan': Error: boom"));
    expect(d.code).toBe('INTERNAL');
    expect(d.message).toBe('boom');
    expect(d.remedy).toMatch(/Try again/);
  });

  it('copes with strings and junk', () => {
    expect(toDisplayError('nope').message).toBe('nope');
    expect(toDisplayError(undefined).message).toBe('Something went wrong.');
    expect(toDisplayError({ code: 'WAT', message: 'x' }).code).toBe('INTERNAL');
  });
});

describe('routes', () => {
  it('parses and formats page hashes', () => {
    expect(parseHash('#/devices')).toEqual({ page: 'devices', device: null });
    expect(parseHash('#/devices/0000:01:00.0')).toEqual({ page: 'devices', device: '0000:01:00.0' });
    // A crafted link with bad percent-encoding is no address, not an exception.
    expect(parseHash('#/devices/%E0%A4%A')).toEqual({ page: 'devices', device: null });
    expect(parseHash('#/devices/garbage')).toEqual({ page: 'devices', device: null });
    expect(parseHash('#/nowhere')).toEqual({ page: 'overview', device: null });
    expect(parseHash('')).toEqual({ page: 'overview', device: null });
    expect(formatHash({ page: 'devices', device: '0000:01:00.0' })).toBe('#/devices/0000:01:00.0');
    expect(formatHash({ page: 'topology', device: '0000:01:00.0' })).toBe('#/topology');
  });
});

describe('readiness summary', () => {
  it('reports the worst status in one sentence', () => {
    expect(overallStatus(sampleScan.readiness)).toBe('warn');
    expect(readinessSummary(sampleScan.readiness)).toBe('Ready, with 1 warning worth a look.');
    expect(overallStatus(sampleNoIommuScan.readiness)).toBe('fail');
    expect(readinessSummary(sampleNoIommuScan.readiness)).toMatch(/^Not ready: 2 checks fail\./);
    const allPass = sampleScan.readiness.map((c) => ({ ...c, status: 'pass' as const }));
    expect(readinessSummary(allPass)).toMatch(/^Ready:/);
  });
});

describe('interfaces', () => {
  it('lists management first, then physical, then software interfaces', () => {
    const names = sortInterfaces(sampleScan.interfaces).map((i) => i.name);
    expect(names[0]).toBe('eno1');
    expect(names.at(-1)).toBe('lo');
    expect(names.indexOf('enp1s0f0')).toBeLessThan(names.indexOf('br-lab'));
  });

  it('explains why an interface is the management one', () => {
    const all = sampleScan.interfaces;
    const eno1 = all.find((i) => i.name === 'eno1')!;
    expect(managementReason(eno1, all)).toBe('carries the default route');
    const port = { ...eno1, name: 'eno2', defaultRoute: { ipv4: false, ipv6: false }, master: 'br-lab' };
    expect(managementReason(port, all)).toBe('port of br-lab, which carries the default route');
  });
});

describe('debounce', () => {
  afterEach(() => vi.useRealTimers());
  it('fires once after the burst settles, and can be cancelled', () => {
    vi.useFakeTimers();
    const fn = vi.fn();
    const d = debounce(fn, 250);
    d.trigger();
    vi.advanceTimersByTime(200);
    d.trigger();
    vi.advanceTimersByTime(200);
    expect(fn).not.toHaveBeenCalled();
    expect(d.pending()).toBe(true);
    vi.advanceTimersByTime(60);
    expect(fn).toHaveBeenCalledTimes(1);
    d.trigger();
    d.cancel();
    vi.advanceTimersByTime(500);
    expect(fn).toHaveBeenCalledTimes(1);
  });
});
