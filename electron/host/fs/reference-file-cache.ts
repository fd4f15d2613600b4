/**
 * The big reference files a scan reads — pci.ids (1.3 MB) for device names and the kernel's
 * module indexes (modules.alias, modules.dep: about 1 MB each) for which modules it has and
 * what they could drive — change only when a
 * package is upgraded, yet every scan would read them again: on a slow disk, or under
 * emulation, that is most of the time a refresh takes. A long-lived service (the window's
 * HostService) keeps their text here and reads a file again only when its identity (device,
 * inode, size, modification time) differs. Everything else a scan reads is read fresh.
 */
import nodeFs from 'node:fs';
import path from 'node:path';
import type { HostFs } from './host-fs';

interface Kept {
  identity: string;
  text: string;
}

export class ReferenceFileCache {
  private readonly kept = new Map<string, Kept>();

  /** `isReference`: which paths inside a root are reference files (the probes know: probes/reference-files.ts). */
  constructor(private readonly isReference: (inside: string) => boolean) {}

  /** `fs`, reading its reference files through this cache; every other read goes straight to it. */
  wrap(fs: HostFs): HostFs {
    const readText = (inside: string): string | null => (this.isReference(inside) ? this.read(fs, inside) : fs.readText(inside));
    return {
      root: fs.root,
      readText,
      readBytes: (p) => fs.readBytes(p),
      readLink: (p) => fs.readLink(p),
      realPath: (p) => fs.realPath(p),
      list: (p) => fs.list(p),
      exists: (p) => fs.exists(p),
      isDirectory: (p) => fs.isDirectory(p),
      accessibleRw: (p) => fs.accessibleRw(p),
    };
  }

  private read(fs: HostFs, inside: string): string | null {
    // The canonical path inside the root (links resolved by the root's own rules), stat'ed there.
    const real = fs.realPath(inside);
    const identity = real === null ? null : fileIdentity(path.join(fs.root, real));
    const key = `${fs.root}\0${inside}`;
    const kept = this.kept.get(key);
    if (identity !== null && kept?.identity === identity) return kept.text;
    const text = fs.readText(inside);
    if (identity !== null && text !== null) this.kept.set(key, { identity, text });
    else this.kept.delete(key);
    return text;
  }
}

function fileIdentity(hostPath: string): string | null {
  try {
    const st = nodeFs.statSync(hostPath, { bigint: true });
    return st.isFile() ? `${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}` : null;
  } catch {
    return null;
  }
}
