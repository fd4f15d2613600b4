/**
 * Every `passthru …` command Passthru tells people to run exists, since a remedy that fails is
 * worse than none. The sources (messages, remedies, help texts, doc comments, the GUI) and the
 * docs are searched for commands in backticks or quotes (`passthru history`, 'sudo passthru
 * undo', a README code line), and each — its command, its action, each of its options — is run
 * with --help through the built CLI, which must answer 0. `passthru devices` (which never
 * existed) or a misspelt option fails here the day it is written.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCli, REPO_ROOT, runCli, type BuiltCli } from './testing/cli-test-support';

let cli: BuiltCli;
beforeAll(async () => {
  cli = await buildCli();
}, 60_000);
afterAll(() => cli?.dispose());

const SOURCE_DIRS = ['electron', 'shared', 'renderer/src', 'scripts'];
const DOCS = ['README.md', 'BENCHMARKS.md', 'CONTRIBUTING.md', 'docs/architecture.md', 'e2e/chroot/README.md'];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'node_modules' || name === 'testdata' ? [] : sourceFiles(path);
    // Tests name commands that must NOT exist; what users read is in the sources themselves.
    return /\.(ts|tsx|mjs)$/.test(name) && !/\.test\.tsx?$/.test(name) ? [path] : [];
  });
}

interface Mention {
  where: string;
  text: string;
}

/** `passthru …` in backticks or quotes (also escaped backticks in template literals), argv literals, and README code lines. */
export function findMentions(text: string, where: string): Mention[] {
  const found: Mention[] = [];
  for (const re of [/`((?:sudo )?passthru [^`\n]*?)\\?`/g, /'((?:sudo )?passthru [^'\n]*)'/g, /"((?:sudo )?passthru [^"\n]*)"/g, /<code>((?:sudo )?passthru [^<]*)<\/code>/g]) {
    for (const m of text.matchAll(re)) found.push({ where, text: m[1]! });
  }
  // Commands built as argv for formatArgv: ['passthru', 'vm', 'start', name] (non-literals are placeholders).
  for (const m of text.matchAll(/\[\s*((?:'sudo'\s*,\s*)?'passthru'\s*,[^\]]*)\]/g)) {
    const words = m[1]!
      .split(',')
      .map((e) => e.trim())
      .filter(Boolean)
      .map((e) => (/^'[^']*'$/.test(e) ? e.slice(1, -1) : '${x}'));
    found.push({ where, text: words.join(' ') });
  }
  if (where.endsWith('.md')) {
    for (const m of text.matchAll(/^(?:sudo )?passthru [^#\n]*/gm)) found.push({ where, text: m[0].trim() });
  }
  return found;
}

/** What a mention asks to run: the command, its action (if any), its options. Null for a placeholder command. */
function parseMention(text: string): { command: string; actions: string[]; options: string[] } | null {
  // Placeholders in template literals and usage lines stand for values: drop them.
  const words = text
    .replace(/\$\{[^}]*\}?/g, ' ')
    .replace(/^sudo /, '')
    .split(/\s+/)
    .map((w) => w.replace(/^[[(]+|[\]),.;:…]+$/g, ''))
    .filter(Boolean);
  const [first, command, next] = words;
  if (first !== 'passthru' || command === undefined || !/^[a-z][a-z-]*$/.test(command)) return null;
  const actions = next !== undefined && /^[a-z]+(\|[a-z]+)*$/.test(next) ? next.split('|') : [];
  const options = words.filter((w) => /^--[a-z][a-z-]*/.test(w)).map((w) => /^--[a-z][a-z-]*/.exec(w)![0]);
  return { command, actions, options };
}

/** Whether `passthru ARGS --help` is accepted; a last option is tried as a flag and with a value. */
function exists(args: string[]): boolean {
  if (runCli(cli, [...args, '--help']).status === 0) return true;
  const option = args.at(-1);
  return option?.startsWith('--') === true && runCli(cli, [...args.slice(0, -1), `${option}=X`, '--help']).status === 0;
}

describe('every passthru command named to users exists', () => {
  const mentions = [
    ...SOURCE_DIRS.flatMap((d) => sourceFiles(join(REPO_ROOT, d))).flatMap((f) => findMentions(readFileSync(f, 'utf8'), relative(REPO_ROOT, f))),
    ...DOCS.flatMap((d) => findMentions(readFileSync(join(REPO_ROOT, d), 'utf8'), d)),
  ];

  it('finds the mentions (the search itself works)', () => {
    expect(mentions.length).toBeGreaterThan(50);
    expect(mentions.map((m) => m.text)).toContain('passthru vm start ${x}');
    expect(findMentions("remedy: 'List the devices with `passthru devices` first.'", 'x').map((m) => m.text)).toEqual(['passthru devices']);
    expect(findMentions('`Run \\`passthru undo --journal ${id} --yes\\`.`', 'x').map((m) => m.text)).toEqual(['passthru undo --journal ${id} --yes']);
    expect(findMentions("formatArgv(['sudo', 'passthru', 'assign', address, '--group'])", 'x').map((m) => m.text)).toEqual(['sudo passthru assign ${x} --group']);
    expect(parseMention('passthru vm status|list')).toEqual({ command: 'vm', actions: ['status', 'list'], options: [] });
    expect(parseMention('sudo passthru assign ${address} --owner $USER')).toEqual({ command: 'assign', actions: [], options: ['--owner'] });
  });

  it('each command, action and option runs with --help', () => {
    const checked = new Map<string, boolean>();
    const missing: string[] = [];
    const check = (args: string[], m: Mention) => {
      const key = args.join(' ');
      if (!checked.has(key)) checked.set(key, exists(args));
      if (!checked.get(key)) missing.push(`\`passthru ${key}\` (${m.where}: ${m.text})`);
    };
    for (const m of mentions) {
      const parsed = parseMention(m.text);
      if (!parsed) continue;
      const lead = [parsed.command];
      check(lead, m);
      // An action word is one only for commands that have actions (`passthru iommu status`).
      const actions = checked.get(parsed.command) && exists([parsed.command, 'no-such-action']) === false && parsed.actions.length ? parsed.actions : [];
      for (const action of actions) check([parsed.command, action], m);
      for (const option of parsed.options) check([...lead, ...(actions.length ? [actions[0]!] : []), option], m);
    }
    expect([...new Set(missing)]).toEqual([]);
  }, 300_000);
});
