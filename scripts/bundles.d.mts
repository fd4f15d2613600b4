// Types for scripts/bundles.mjs (plain JavaScript, run by node before anything is compiled).
import type { BuildOptions } from 'esbuild';

export interface NodeBundle {
  name: string;
  in: string;
  out: string;
  banner?: string;
  target?: string;
  executable?: boolean;
  minify?: boolean;
  external?: string[];
}

export const NODE_BUNDLES: readonly NodeBundle[];
export function bundleOptions(name: string, options?: { repoRoot?: string; outfile?: string } & BuildOptions): BuildOptions;
