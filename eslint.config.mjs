// Lint enforces the architecture's boundaries (docs/architecture.md, "The layers"): raw
// ipcMain/ipcRenderer only in the one typed IPC module and the preload; no electron in the host
// service, CLI or shared code; no Node in the renderer or shared code.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const nodeBuiltins = ['node:*', 'fs', 'path', 'child_process', 'os', 'net', 'http', 'util', 'crypto'];

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
  {
    files: ['**/*.ts', '**/*.tsx'],
    ignores: ['electron/main/ipc.ts', 'electron/preload/preload.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'electron',
              importNames: ['ipcMain', 'ipcRenderer'],
              message: 'Use the typed IPC: register in electron/main/ipc.ts, call window.passthru in the renderer.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['electron/host/**/*.ts', 'electron/cli/**/*.ts', 'shared/**/*.ts', 'e2e/bridge/**/*.ts', 'e2e/lab/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: 'electron', message: 'The host service, CLI and shared code never import electron.' }] }],
    },
  },
  {
    files: ['renderer/src/**/*.{ts,tsx}', 'shared/**/*.ts'],
    ignores: ['**/*.test.ts', '**/*.test.tsx'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'electron', message: 'The renderer knows nothing but window.passthru.' }],
          patterns: [{ group: nodeBuiltins, message: 'No Node APIs in the renderer or shared code.' }],
        },
      ],
    },
  },
);
