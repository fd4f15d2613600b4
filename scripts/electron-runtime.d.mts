// Types for scripts/electron-runtime.mjs (plain JavaScript, run by node before anything is compiled).

export type ElectronExecutable = { path: string } | { path: null; reason: string };

export function electronPackageDir(fromDir: string): string | null;
export function electronExecutable(packageDir: string | null, env?: Record<string, string | undefined>): ElectronExecutable;
