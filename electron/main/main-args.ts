/** Command-line options of the GUI: `--root DIR` shows a snapshot; `--allow-root` is for the lab only. */
export interface MainArgs {
  root: string | null;
  allowRoot: boolean;
}

export function parseMainArgs(argv: string[], env: NodeJS.ProcessEnv): MainArgs {
  let root: string | null = env.PASSTHRU_ROOT || null;
  let allowRoot = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--root' && argv[i + 1]) root = argv[++i]!;
    else if (arg.startsWith('--root=')) root = arg.slice('--root='.length);
    else if (arg === '--allow-root') allowRoot = true;
  }
  return { root, allowRoot };
}
