import type { HostInfo } from '#shared/model';

/**
 * CPU facts that decide whether KVM can run at all, from the first processor block of
 * /proc/cpuinfo (all cores of a host agree on vendor and virtualization flags).
 */
export function parseCpuinfo(text: string | null): HostInfo['cpu'] {
  const fields = new Map<string, string>();
  if (text !== null) {
    for (const line of firstProcessorBlock(text).split('\n')) {
      const colon = line.indexOf(':');
      if (colon <= 0) continue;
      const key = line.slice(0, colon).trim();
      if (!fields.has(key)) fields.set(key, line.slice(colon + 1).trim());
    }
  }
  const flags = new Set((fields.get('flags') ?? '').split(/\s+/));
  return {
    vendor: fields.get('vendor_id') || null,
    virtualization: flags.has('vmx') ? 'vmx' : flags.has('svm') ? 'svm' : null,
    modelName: fields.get('model name') || null,
  };
}

/** Text up to the first blank line: one processor's entry (the rest repeat it per core). */
export function firstProcessorBlock(text: string): string {
  const m = /\n[ \t]*\n/.exec(text);
  return m ? text.slice(0, m.index + 1) : text;
}
