/**
 * Read-only view of a host filesystem under a root directory. Every probe reads through this,
 * so the same code scans the live host (`/`), a captured snapshot, or a test tree, and the
 * snapshot recorder can capture exactly what the probes read. Paths are absolute *inside* the
 * root (`/sys/bus/pci/devices`); nothing outside the root is ever read: symlinks that resolve
 * outside it are treated as missing.
 */
export interface HostFs {
  /** The real directory standing for `/`. */
  readonly root: string;
  /** File contents, or null when missing or unreadable. */
  readText(path: string): string | null;
  /** File contents as raw bytes (binary attributes such as a PCI function's `config`), or null when missing or unreadable. */
  readBytes(path: string): Uint8Array | null;
  /** Raw symlink target, or null when not a symlink / missing. */
  readLink(path: string): string | null;
  /** Canonical path inside the root with every symlink resolved, or null when missing or escaping. */
  realPath(path: string): string | null;
  /** Directory entry names (sorted), or [] when missing. */
  list(path: string): string[];
  exists(path: string): boolean;
  isDirectory(path: string): boolean;
  /** Whether the current process may open the path read-write; null when it cannot be known. */
  accessibleRw(path: string): boolean | null;
}
