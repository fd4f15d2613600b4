/**
 * Packaging consistency: the pieces that put the pkexec helper on an installed system must
 * agree with each other and with HELPER_PATH — the polkit policy's exec.path, what
 * electron-builder ships (build/electron-builder.yml), what the deb's after-install copies
 * where, the interpreter the helper names and the deb's dependency that provides it.
 * electron-builder itself cannot run here (its Electron download is unavailable), so these
 * read the files, and run the scripts' Passthru sections against a temporary root.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { NODE_BUNDLES, bundleOptions } from '../../../scripts/bundles.mjs';
import { describe, expect, it } from 'vitest';
import { HELPER_PATH } from './helper-protocol';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const read = (file: string): string => fs.readFileSync(path.join(REPO, file), 'utf8');

type Yaml = string | Yaml[] | { [key: string]: Yaml };

/**
 * Reads the YAML subset build/electron-builder.yml uses: block mappings and sequences (items
 * may be mappings), plain scalars, flow lists of plain scalars, comments. Anything else throws.
 */
function parseYamlSubset(text: string): Yaml {
  const lines = text
    .split('\n')
    .map((raw) => raw.replace(/^\s*#.*$/, '').replace(/\s+#.*$/, ''))
    .filter((l) => l.trim() !== '')
    .map((l) => ({ indent: l.length - l.trimStart().length, text: l.trim() }));
  let i = 0;
  const at = (): { indent: number; text: string } => lines[i]!;
  const scalar = (v: string): Yaml => {
    const t = v.trim();
    if (t.startsWith('[') && t.endsWith(']'))
      return t
        .slice(1, -1)
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
    return t.replace(/^(['"])(.*)\1$/, '$2');
  };
  const isItem = (): boolean => at().text === '-' || at().text.startsWith('- ');
  const seq = (indent: number): Yaml[] => {
    const out: Yaml[] = [];
    while (i < lines.length && at().indent === indent && isItem()) {
      const rest = at().text.slice(2);
      if (/^[\w.-]+:(\s|$)/.test(rest)) {
        // `- key: value` starts a mapping whose keys line up two columns in.
        lines[i] = { indent: indent + 2, text: rest };
        out.push(map(indent + 2));
      } else {
        i++;
        out.push(scalar(rest));
      }
    }
    return out;
  };
  const map = (indent: number): { [key: string]: Yaml } => {
    const out: { [key: string]: Yaml } = {};
    while (i < lines.length && at().indent === indent && !isItem()) {
      const m = /^([\w.-]+):(?:\s+(.*))?$/.exec(at().text);
      if (!m) throw new Error(`Unsupported YAML line: ${at().text}`);
      i++;
      const key = m[1]!;
      if (m[2] !== undefined && m[2] !== '') out[key] = scalar(m[2]);
      else if (i < lines.length && at().indent > indent) out[key] = isItem() ? seq(at().indent) : map(at().indent);
      else if (i < lines.length && at().indent === indent && isItem()) out[key] = seq(indent);
      else out[key] = '';
    }
    return out;
  };
  const doc = map(0);
  if (i !== lines.length) throw new Error(`Unsupported YAML near: ${at().text}`);
  return doc;
}

const obj = (v: Yaml | undefined): { [key: string]: Yaml } => {
  if (v === undefined || typeof v === 'string' || Array.isArray(v)) throw new Error(`Expected a mapping, got ${JSON.stringify(v)}`);
  return v;
};
const list = (v: Yaml | undefined): Yaml[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]);

const builderConfig = obj(parseYamlSubset(read('build/electron-builder.yml')));

/** The helper's bundle as scripts/build.mjs builds it (scripts/bundles.mjs). */
function helperBuildEntry(): { out: string; banner: string; target: string } {
  const entry = NODE_BUNDLES.find((b) => b.name === 'helper');
  if (!entry) throw new Error('scripts/bundles.mjs has no helper bundle');
  return { out: entry.out, banner: entry.banner ?? '', target: entry.target ?? '' };
}

/** Where electron-builder puts the built helper inside the installed deb (/opt/<product>/resources/...). */
function shippedHelperPath(): string {
  const out = helperBuildEntry().out;
  const entry = list(builderConfig.extraResources)
    .map(obj)
    .find((r) => r.from === path.posix.dirname(out));
  if (!entry) throw new Error(`electron-builder.yml ships nothing from ${path.posix.dirname(out)}`);
  const name = path.posix.basename(out);
  const filter = list(entry.filter);
  if (filter.length > 0 && !filter.includes(name)) throw new Error(`electron-builder.yml's filter for ${String(entry.from)} leaves out ${name}`);
  return path.posix.join('/opt', String(builderConfig.productName), 'resources', String(entry.to), name);
}

/** The lines between the script's "passthru: begin" and "passthru: end" markers. */
function passthruSection(script: string): string {
  const text = read(script);
  const begin = text.indexOf('# --- passthru: begin ---');
  const end = text.indexOf('# --- passthru: end ---');
  expect(begin, `${script} has no Passthru section`).toBeGreaterThanOrEqual(0);
  expect(text.indexOf('# --- passthru: begin ---', begin + 1)).toBe(-1);
  expect(end).toBeGreaterThan(begin);
  return text.slice(begin, end);
}

describe('packaging the pkexec helper', () => {
  it("the polkit policy's exec.path is HELPER_PATH", () => {
    const policy = read('build/polkit/org.passthru.policy');
    const paths = [...policy.matchAll(/<annotate key="org\.freedesktop\.policykit\.exec\.path">([^<]*)<\/annotate>/g)].map((m) => m[1]);
    expect(paths).toEqual([HELPER_PATH]);
  });

  it("the helper is built for the deb's node (node18, #!/usr/bin/node) and shipped by electron-builder", () => {
    expect(helperBuildEntry()).toEqual({ out: 'dist/helper/passthru-helper.cjs', banner: '#!/usr/bin/node', target: 'node18' });
    expect(shippedHelperPath()).toBe('/opt/Passthru/resources/helper/passthru-helper.cjs');
    // Outside the asar: the file is copied by a shell script, and run by /usr/bin/node.
    expect(list(builderConfig.files).some((f) => String(f).startsWith('dist/helper'))).toBe(false);
  });

  it("the deb depends on nodejs >= 18 (the helper's interpreter), pkexec, and the Electron runtime libraries", () => {
    const deb = obj(builderConfig.deb);
    const depends = list(deb.depends).map(String);
    const node = depends.find((d) => /^nodejs\b/.test(d));
    expect(node).toBeDefined();
    expect(Number(/^nodejs \(>= (\d+)\)$/.exec(node ?? '')?.[1])).toBeGreaterThanOrEqual(18);
    expect(depends.some((d) => d.split('|').some((alt) => ['pkexec', 'policykit-1'].includes(alt.trim())))).toBe(true);
    // Setting depends drops electron-builder's defaults; these are the ones Electron needs to start.
    for (const lib of ['libgtk-3-0', 'libnss3', 'libxss1', 'libxtst6', 'libatspi2.0-0']) expect(depends).toContain(lib);
    expect(deb.afterInstall).toBe('build/deb/after-install.sh');
    expect(deb.afterRemove).toBe('build/deb/after-remove.sh');
    // The app binary never serves as the helper's Node.
    expect(obj(builderConfig.electronFuses).runAsNode).toBe('false');
  });

  it('after-install copies exactly the shipped helper to HELPER_PATH, root-owned and 0755', () => {
    const section = passthruSection('build/deb/after-install.sh');
    const installs = section.split('\n').filter((l) => /^install\s/.test(l) && l.includes(`"$DPKG_ROOT${HELPER_PATH}"`));
    expect(installs).toEqual([`install -o root -g root -m 0755 "$DPKG_ROOT${shippedHelperPath()}" "$DPKG_ROOT${HELPER_PATH}"`]);
  });

  it('the deb scripts use no electron-builder macros but ${executable} and ${sanitizedProductName}', () => {
    // electron-builder expands ${letters} in these files and fails the build on unknown names.
    for (const script of ['build/deb/after-install.sh', 'build/deb/after-remove.sh']) {
      const macros = new Set([...read(script).matchAll(/\$\{([a-zA-Z]+)\}/g)].map((m) => m[1]));
      for (const m of macros) expect(['executable', 'sanitizedProductName']).toContain(m);
    }
  });

  const asRoot = process.getuid?.() === 0;
  // chown root:root needs root; CI runs as root, so this only skips on a developer's machine.
  if (!asRoot) console.warn('SKIPPED: the deb install-script test needs root (it chowns to root:root); run the unit tests as root to include it.');
  it.skipIf(!asRoot)('after-install and after-remove, run against a temporary root, install and remove the helper and policy', () => {
    const root = fs.mkdtempSync(path.join(tmpdir(), 'passthru-deb-root-'));
    try {
      const inRoot = (p: string): string => path.join(root, p);
      const shipped = inRoot(shippedHelperPath());
      fs.mkdirSync(path.dirname(shipped), { recursive: true });
      fs.writeFileSync(shipped, '#!/usr/bin/node\nconsole.log("helper");\n', { mode: 0o644 });
      fs.mkdirSync(inRoot('/opt/Passthru/resources/polkit'), { recursive: true });
      fs.copyFileSync(path.join(REPO, 'build/polkit/org.passthru.policy'), inRoot('/opt/Passthru/resources/polkit/org.passthru.policy'));
      // A directory left behind writable by anyone must not stay so.
      fs.mkdirSync(path.dirname(inRoot(HELPER_PATH)), { recursive: true });
      fs.chmodSync(path.dirname(inRoot(HELPER_PATH)), 0o777);

      const run = (script: string, ...args: string[]) => {
        const file = path.join(root, 'section.sh');
        fs.writeFileSync(file, passthruSection(script));
        const r = spawnSync('bash', [file, ...args], { env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', DPKG_ROOT: root }, encoding: 'utf8' });
        expect(r.stderr).toBe('');
        expect(r.status).toBe(0);
      };

      run('build/deb/after-install.sh', 'configure');
      const helper = fs.statSync(inRoot(HELPER_PATH));
      const dir = fs.statSync(path.dirname(inRoot(HELPER_PATH)));
      expect(fs.readFileSync(inRoot(HELPER_PATH), 'utf8')).toBe(fs.readFileSync(shipped, 'utf8'));
      expect([helper.mode & 0o7777, helper.uid, helper.gid]).toEqual([0o755, 0, 0]);
      expect([dir.mode & 0o7777, dir.uid, dir.gid]).toEqual([0o755, 0, 0]);
      const policy = fs.statSync(inRoot('/usr/share/polkit-1/actions/org.passthru.policy'));
      expect(policy.mode & 0o7777).toBe(0o644);

      run('build/deb/after-remove.sh', 'upgrade');
      expect(fs.existsSync(inRoot(HELPER_PATH))).toBe(true);
      run('build/deb/after-remove.sh', 'remove');
      expect(fs.existsSync(inRoot(HELPER_PATH))).toBe(false);
      expect(fs.existsSync(path.dirname(inRoot(HELPER_PATH)))).toBe(false);
      expect(fs.existsSync(inRoot('/usr/share/polkit-1/actions/org.passthru.policy'))).toBe(false);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it('the helper bundle needs nothing newer than node 18', async () => {
    const result = await build(bundleOptions('helper', { repoRoot: REPO, write: false, sourcemap: false, logLevel: 'silent' }));
    expect(result.outputFiles, 'esbuild returns the bundle when told not to write it').toHaveLength(1);
    const code = result.outputFiles![0]!.text;
    // Only Node built-ins; never Electron.
    const required = new Set([...code.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]));
    for (const r of required) expect(r).toMatch(/^node:/);
    // APIs added after node 18 (a list of the likely ones; esbuild lowers syntax, not APIs).
    const newer = [
      /\.toSorted\(/,
      /\.toReversed\(/,
      /\.toSpliced\(/,
      /\.isWellFormed\(/,
      /\.toWellFormed\(/,
      /Object\.groupBy/,
      /Map\.groupBy/,
      /Promise\.withResolvers/,
      /Array\.fromAsync/,
      /\.union\(|\.intersection\(|\.symmetricDifference\(/,
      /getBuiltinModule/,
      /globSync|\.glob\(/,
      /import\.meta\.(dirname|filename)/,
      /AbortSignal\.any/,
      /styleText/,
      /parentPath/,
      /matchesGlob/,
      /loadEnvFile/,
      /openAsBlob/,
      /\bnavigator\./,
      /readdirSync\([^)]*recursive/,
    ];
    expect(newer.filter((re) => re.test(code)).map(String)).toEqual([]);
  });
});
