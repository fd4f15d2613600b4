/**
 * The architecture's boundaries are lint rules (eslint.config.mjs); each must fail on a
 * deliberate violation, or a rule that silently stopped working (a resolver that resolves
 * nothing, a glob that matches nothing) would pass every file. Each case lints one made-up
 * file at a real path in the tree, so imports resolve as they would for real code.
 */
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint({ cwd: new URL('..', import.meta.url).pathname });

async function ruleIds(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).map((m) => m.ruleId ?? `fatal: ${m.message}`);
}

const cases: { rule: string; what: string; file: string; code: string }[] = [
  {
    rule: 'no-restricted-imports',
    what: 'child_process outside exec/',
    file: 'electron/host/probes/x-violation.ts',
    code: "import { spawn } from 'node:child_process';\nexport const s = spawn;\n",
  },
  {
    rule: 'no-restricted-imports',
    what: 'child_process in the CLI',
    file: 'electron/cli/x-violation.ts',
    code: "import { execFileSync } from 'child_process';\nexport const e = execFileSync;\n",
  },
  { rule: 'no-restricted-imports', what: 'electron in the host', file: 'electron/host/x-violation.ts', code: "import { app } from 'electron';\nexport const a = app;\n" },
  { rule: 'no-restricted-imports', what: 'electron in passthru serve', file: 'electron/serve/x-violation.ts', code: "import { app } from 'electron';\nexport const a = app;\n" },
  {
    rule: 'no-restricted-imports',
    what: 'child_process in passthru serve',
    file: 'electron/serve/x-violation.ts',
    code: "import { spawn } from 'node:child_process';\nexport const s = spawn;\n",
  },
  {
    rule: 'import-x/no-restricted-paths',
    what: 'passthru serve importing Electron main beyond the IPC handlers',
    file: 'electron/serve/x-violation.ts',
    code: "import { parseMainArgs } from '../main/main-args';\nexport const p = parseMainArgs;\n",
  },
  {
    rule: 'import-x/no-restricted-paths',
    what: 'the CLI importing Electron main',
    file: 'electron/cli/x-violation.ts',
    code: "import { createHandlers } from '../main/ipc-handlers';\nexport const c = createHandlers;\n",
  },
  {
    rule: 'no-restricted-imports',
    what: 'Node in the renderer',
    file: 'renderer/src/lib/x-violation.ts',
    code: "import { readFileSync } from 'node:fs';\nexport const r = readFileSync;\n",
  },
  { rule: 'no-restricted-imports', what: 'raw ipcRenderer', file: 'electron/main/x-violation.ts', code: "import { ipcMain } from 'electron';\nexport const i = ipcMain;\n" },
  {
    rule: 'import-x/no-restricted-paths',
    what: 'a probe importing a plan',
    file: 'electron/host/probes/x-violation.ts',
    code: "import { resolveDevice } from '../plans/validate';\nexport const r = resolveDevice;\n",
  },
  {
    rule: 'import-x/no-restricted-paths',
    what: 'a plan importing an op',
    file: 'electron/host/plans/x-violation.ts',
    code: "import { OPS } from '../ops';\nexport const r = OPS;\n",
  },
  {
    rule: 'import-x/no-restricted-paths',
    what: 'an op importing a planner',
    file: 'electron/host/ops/x-violation.ts',
    code: "import { loadModuleStep } from '../plans/plan-steps';\nexport const r = loadModuleStep;\n",
  },
  {
    rule: 'import-x/no-restricted-paths',
    what: 'formats importing a probe',
    file: 'electron/host/formats/x-violation.ts',
    code: "import { probePciDevices } from '../probes/pci-devices';\nexport const r = probePciDevices;\n",
  },
  {
    rule: 'import-x/no-restricted-paths',
    what: 'shared importing the host',
    file: 'shared/x-violation.ts',
    code: "import { scanHost } from '../electron/host/scan';\nexport const r = scanHost;\n",
  },
  {
    rule: 'import-x/no-restricted-paths',
    what: 'the renderer importing the host',
    file: 'renderer/src/lib/x-violation.ts',
    code: "import { parseHash } from './route';\nimport { scanHost } from '../../../electron/host/scan';\nexport const r = [parseHash, scanHost];\n",
  },
  {
    rule: 'import-x/no-restricted-paths',
    what: 'product code importing a test helper',
    file: 'electron/host/service/x-violation.ts',
    code: "import { makeRig } from '../testing/apply-test-support';\nexport const r = makeRig;\n",
  },
  {
    rule: 'import-x/no-restricted-paths',
    what: 'product code importing a test helper through the #shared alias',
    file: 'electron/host/service/x-violation.ts',
    code: "import { hostileArg } from '#shared/testing/text-arbitraries';\nexport const h = hostileArg;\n",
  },
  // vf-settings is imported by ops/set-vf: importing set-vf back from it closes a cycle.
  { rule: 'import-x/no-cycle', what: 'an import cycle', file: 'electron/host/formats/vf-settings.ts', code: "import { setVf } from '../ops/set-vf';\nexport const s = setVf;\n" },
];

describe('lint rules fail on a deliberate violation of each boundary', () => {
  it.each(cases)(
    '$rule: $what',
    async ({ rule, file, code }) => {
      expect(await ruleIds(file, code)).toContain(rule);
    },
    60_000,
  );

  it('and pass the same kind of import where it is allowed', async () => {
    expect(await ruleIds('electron/host/exec/x-allowed.ts', "import { spawn } from 'node:child_process';\nexport const s = spawn;\n")).toEqual([]);
    expect(
      await ruleIds(
        'electron/host/changes/x-allowed.ts',
        "import { OPS } from '../ops';\nimport { resolveDevice } from '../plans/validate';\nexport const r = [OPS, resolveDevice];\n",
      ),
    ).toEqual([]);
    expect(await ruleIds('electron/host/ops/x-allowed.test.ts', "import { makeRig } from '../testing/apply-test-support';\nexport const r = makeRig;\n")).toEqual([]);
    expect(await ruleIds('electron/serve/x-allowed.ts', "import { createHandlers } from '../main/ipc-handlers';\nexport const c = createHandlers;\n")).toEqual([]);
  }, 60_000);
});
