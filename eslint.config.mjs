// Lint enforces the architecture's boundaries (docs/architecture.md, "The layers"): raw
// ipcMain/ipcRenderer only in the one typed IPC module and the preload; no electron in the host
// service, CLI, `passthru serve` or shared code; no Node in the renderer or shared code; processes only through
// the exec seam; probes, plans and ops in their layers; test helpers only in tests; no cycles.
import js from '@eslint/js';
import importX, { createNodeResolver } from 'eslint-plugin-import-x';
import prettierConfig from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const nodeBuiltins = ['node:*', 'fs', 'path', 'child_process', 'os', 'net', 'http', 'util', 'crypto'];

/** Tests and the helpers only tests use (one home per part: a testing/ folder). */
const testFiles = ['**/*.test.ts', '**/*.test.tsx', '**/testing/**', 'electron/host/helper/passthru-helper.test-entry.ts', 'e2e/**'];

/** The no-restricted-imports setting for one part of the tree. */
function restricted({ electron, node = false, childProcess = false }) {
  const paths = [
    electron === 'all'
      ? { name: 'electron', message: 'Only Electron main and the preload import electron: the host service, CLI, passthru serve, shared code and renderer never do.' }
      : { name: 'electron', importNames: ['ipcMain', 'ipcRenderer'], message: 'Use the typed IPC: register in electron/main/ipc.ts, call window.passthru in the renderer.' },
  ];
  const patterns = [];
  if (node) patterns.push({ group: nodeBuiltins, message: 'No Node APIs in the renderer or shared code.' });
  if (childProcess && !node) {
    patterns.push({
      group: ['child_process', 'node:child_process'],
      message: 'Processes start only in electron/host/exec/ (runCommand, the sysfs writer): one seam tests fake and that never runs a shell.',
    });
  }
  return { paths, patterns };
}

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'test-results/', 'release/', '.cache/', 'e2e/fixtures/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: globals.node },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['electron/**/*.ts', 'e2e/**/*.ts', 'scripts/**/*.{ts,mjs}', '*.config.{ts,mjs}', 'renderer/vite.config.mts'],
    languageOptions: { globals: globals.node },
  },
  // Which modules each part may import. A file gets one no-restricted-imports setting (in flat
  // config the last matching block replaces the rule), so each block below covers its files whole.
  {
    files: ['**/*.ts', '**/*.tsx'],
    ignores: ['electron/main/ipc.ts', 'electron/preload/preload.ts'],
    rules: { 'no-restricted-imports': ['error', restricted({ electron: 'ipc' })] },
  },
  {
    files: ['electron/main/**/*.ts'],
    ignores: ['electron/main/ipc.ts', ...testFiles],
    rules: { 'no-restricted-imports': ['error', restricted({ electron: 'ipc', childProcess: true })] },
  },
  {
    files: ['electron/host/**/*.ts', 'electron/cli/**/*.ts', 'electron/serve/**/*.ts', 'e2e/lab/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', restricted({ electron: 'all' })] },
  },
  {
    // Processes start in one place, the exec seam, so tests can fake it and nothing runs a shell.
    files: ['electron/host/**/*.ts', 'electron/cli/**/*.ts', 'electron/serve/**/*.ts'],
    ignores: ['electron/host/exec/**', ...testFiles],
    rules: { 'no-restricted-imports': ['error', restricted({ electron: 'all', childProcess: true })] },
  },
  {
    files: ['renderer/src/**/*.{ts,tsx}', 'shared/**/*.ts'],
    ignores: ['**/*.test.ts', '**/*.test.tsx'],
    languageOptions: { globals: { ...globals.browser } },
    rules: { 'no-restricted-imports': ['error', restricted({ electron: 'all', node: true })] },
  },
  // The layers of electron/host (docs/architecture.md): probes read, plans decide, ops write.
  {
    files: ['electron/**/*.ts', 'shared/**/*.ts', 'renderer/src/**/*.{ts,tsx}'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.tsx', '.js', '.mjs', '.json'] })],
      // no-cycle reads the imported files too: with the TypeScript parser, or it sees nothing.
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts', '.tsx'] },
      'import-x/extensions': ['.ts', '.tsx', '.js', '.mjs'],
    },
    rules: {
      'import-x/no-restricted-paths': [
        'error',
        {
          zones: [
            {
              target: './electron/host/probes',
              from: ['./electron/host/plans', './electron/host/ops', './electron/host/changes', './electron/host/apply', './electron/host/service', './electron/host/helper'],
              message: 'Probes only read the host: they import no planning, writing or applying code.',
            },
            {
              target: './electron/host/plans',
              from: ['./electron/host/ops', './electron/host/apply', './electron/host/changes', './electron/host/service', './electron/host/helper'],
              message: 'Plans decide and never write: they import no ops, engine or service (the changes layer joins them).',
            },
            {
              target: './electron/host/ops',
              from: ['./electron/host/plans', './electron/host/apply', './electron/host/changes', './electron/host/service', './electron/host/helper'],
              message: 'Ops act and own their words and shell lines: they import no planner, engine or service (the changes layer joins plans and ops).',
            },
            {
              target: './electron/host/formats',
              from: [
                './electron/host/probes',
                './electron/host/plans',
                './electron/host/ops',
                './electron/host/changes',
                './electron/host/apply',
                './electron/host/service',
                './electron/host/helper',
              ],
              message: 'formats/ describes files and arguments (pure): every layer reads it, it reads none of them.',
            },
            {
              target: './shared',
              from: ['./electron', './renderer'],
              message: 'shared/ is the bottom layer: it imports nothing of main, host or renderer.',
            },
            {
              target: './electron/serve',
              from: './electron/main',
              except: ['./ipc-handlers.ts'],
              message: 'passthru serve runs the handlers of electron/main/ipc-handlers.ts (which imports no electron) and nothing else of main.',
            },
            {
              target: './electron/cli',
              from: './electron/main',
              message: 'The CLI imports nothing of Electron main (passthru serve reaches the IPC handlers through electron/serve).',
            },
            {
              target: './renderer/src',
              from: ['./electron'],
              message: 'The renderer reaches the host only through window.passthru (shared/api.ts).',
            },
            {
              target: ['./electron', './shared', './renderer/src'],
              from: ['./e2e/**', './electron/**/testing/**', './renderer/src/testing/**', './shared/testing/**'],
              message: 'Test helpers are for tests: product code never imports them.',
            },
          ],
        },
      ],
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
    },
  },
  {
    // Tests may use test helpers (the zone above is for product code).
    files: testFiles,
    rules: { 'import-x/no-restricted-paths': 'off', 'import-x/no-cycle': 'off' },
  },
  // Layout is Prettier's (npm run format); no lint rule argues with it.
  prettierConfig,
);
