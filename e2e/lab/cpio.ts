/**
 * A minimal writer for the "newc" cpio format the kernel unpacks as an initramfs. Written by
 * hand so building the lab's initramfs needs neither root (for /dev/console) nor the `cpio`
 * tool, and so the archive is byte-for-byte reproducible (fixed mtimes, fixed inode numbers).
 */

export type CpioEntry =
  | { kind: 'dir'; path: string; mode?: number }
  | { kind: 'file'; path: string; data: Buffer; mode?: number }
  | { kind: 'symlink'; path: string; target: string }
  | { kind: 'chardev'; path: string; major: number; minor: number; mode?: number };

const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const S_IFLNK = 0o120000;
const S_IFCHR = 0o020000;

function hex8(n: number): string {
  return (n >>> 0).toString(16).padStart(8, '0');
}

function pad4(len: number): Buffer {
  return Buffer.alloc((4 - (len % 4)) % 4);
}

function header(ino: number, mode: number, size: number, name: string, rdev = { major: 0, minor: 0 }): Buffer {
  const nameBuf = Buffer.from(`${name}\0`);
  const fields = [ino, mode, 0 /* uid */, 0 /* gid */, 1 /* nlink */, 0 /* mtime */, size, 0, 0 /* dev major/minor */, rdev.major, rdev.minor, nameBuf.length, 0 /* check */];
  const head = Buffer.from(`070701${fields.map(hex8).join('')}`, 'ascii');
  return Buffer.concat([head, nameBuf, pad4(head.length + nameBuf.length)]);
}

/** Serialise entries (in the given order; parents must come before children) to a newc archive. */
export function writeCpio(entries: CpioEntry[]): Buffer {
  const parts: Buffer[] = [];
  let ino = 1;
  for (const e of entries) {
    const name = e.path.replace(/^\/+/, '');
    switch (e.kind) {
      case 'dir':
        parts.push(header(ino++, S_IFDIR | (e.mode ?? 0o755), 0, name));
        break;
      case 'file':
        parts.push(header(ino++, S_IFREG | (e.mode ?? 0o644), e.data.length, name), e.data, pad4(e.data.length));
        break;
      case 'symlink': {
        const data = Buffer.from(e.target);
        parts.push(header(ino++, S_IFLNK | 0o777, data.length, name), data, pad4(data.length));
        break;
      }
      case 'chardev':
        parts.push(header(ino++, S_IFCHR | (e.mode ?? 0o600), 0, name, { major: e.major, minor: e.minor }));
        break;
    }
  }
  parts.push(header(0, 0, 0, 'TRAILER!!!'));
  const body = Buffer.concat(parts);
  // The kernel does not require it, but cpio(1) and lsinitramfs like 512-byte blocks.
  return Buffer.concat([body, Buffer.alloc((512 - (body.length % 512)) % 512)]);
}
