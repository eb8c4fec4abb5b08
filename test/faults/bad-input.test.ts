/**
 * Fault: bad input, through the spawned CLI as a user runs it (`porter build hook -name smoke`). Each is one clear
 * error naming what is wrong, exit 2, no stack trace, found before porter touches Docker (DOCKER_HOST points at
 * nothing) or git; YAML alias bombs are refused within a second.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { loadConfig } from '../../src/config/load.js';
import { ConfigError } from '../../src/errors.js';
import { assertExit, porterTmpDir } from '../helpers/fault-checks.js';
import { runPorter } from '../helpers/porter-cli.js';
import { removeTempDirs, tempDir, writeTree, type FixtureTree } from '../helpers/temp-dirs.js';

after(() => removeTempDirs());

const HOOK = '  smoke:\n  - dockerfile: .porter/hooks/smoke/Dockerfile\n';
const VALID = `service_name: t-bad-input\nhooks:\n${HOOK}environments:\n- name: Stage\n  regions:\n  - name: local\n`;
const q = (s: string): string => JSON.stringify(s);

/** A billion laughs: each level repeats the one before ten times. */
function laughs(levels: number, width: number): string {
  const lines = ['a0: &a0 "lol"'];
  for (let i = 1; i <= levels; i++) lines.push(`a${i}: &a${i} [${Array.from({ length: width }, () => `*a${i - 1}`).join(', ')}]`);
  return `service_name: t-bad-input\nx-bomb:\n${lines.map((l) => `  ${l}`).join('\n')}\nhooks:\n${HOOK}`;
}

/** Merge keys that fan out: each map merges the previous one several times over. */
function mergeBomb(levels: number): string {
  const lines = ['m0: &m0 {k: v}'];
  for (let i = 1; i <= levels; i++) lines.push(`m${i}: &m${i} {<<: [*m${i - 1}, *m${i - 1}, *m${i - 1}, *m${i - 1}], k${i}: ${i}}`);
  return `service_name: t-bad-input\nx-bomb:\n${lines.map((l) => `  ${l}`).join('\n')}\nhooks:\n${HOOK}`;
}

interface BadInput {
  what: string;
  /** The config's text (or bytes); undefined: no config file at all. */
  config: string | Buffer | undefined;
  files?: FixtureTree;
  args?: string[];
  message: RegExp;
}

const cases: BadInput[] = [
  { what: 'malformed YAML', config: 'service_name: t-bad-input\nhooks:\n  smoke: [\n    - dockerfile: x\n', message: /\.porter\/config:\d+: .*fix the YAML syntax here/ },
  { what: 'a tab for indentation', config: 'service_name: t-bad-input\nhooks:\n\tsmoke: []\n', message: /\.porter\/config:3: .*(tab|YAML)/ },
  {
    what: 'wrong types', config: `service_name: t-bad-input\nhooks:\n  smoke:\n  - dockerfile: .porter/hooks/smoke/Dockerfile\n    concurrent: "yes"\n    retries: many\n`,
    message: /\.porter\/config:5: hooks\.smoke\[0\]\.concurrent: [\s\S]*\.porter\/config:6: hooks\.smoke\[0\]\.retries: /,
  },
  { what: 'an unknown key, with a suggestion', config: `${VALID.replace(HOOK, `${HOOK}    run_conditon: pass\n`)}`, message: /\.porter\/config:5: hooks\.smoke\[0\]\.run_conditon: .*run_condition/ },
  { what: 'an unknown top-level key', config: `${VALID}servce_name: x\n`, message: /\.porter\/config:\d+: servce_name: .*service_name/ },
  { what: 'an empty file', config: '', message: /\.porter\/config: is empty/ },
  { what: 'a file of blank lines and comments', config: '\n\n# nothing here\n', message: /\.porter\/config: is empty|\.porter\/config: .*service_name/ },
  { what: 'no config file', config: undefined, message: /No porter config at .*\.porter\/config/ },
  { what: 'a 10 MB file', config: `${VALID}# ${'x'.repeat(10 * 1024 * 1024)}\n`, message: /\.porter\/config: is larger than 1 MiB/ },
  { what: 'a config that is not UTF-8', config: Buffer.concat([Buffer.from('service_name: t-bad-input\n# '), Buffer.from([0xff, 0xfe, 0x00])]), message: /\.porter\/config: is not valid UTF-8/ },
  { what: 'a config path that is a directory', config: VALID, args: ['--config', '.porter'], message: /is a directory; name the file itself/ },
  { what: 'a YAML alias bomb (billion laughs)', config: laughs(9, 10), message: /\.porter\/config: uses YAML aliases that expand too far/ },
  { what: 'a wide YAML alias bomb', config: laughs(4, 200), message: /\.porter\/config: uses YAML aliases that expand too far/ },
  { what: 'a YAML merge-key bomb', config: mergeBomb(30), message: /\.porter\/config: uses YAML aliases that expand too far/ },
  { what: 'a dockerfile path with ..', config: VALID.replace('.porter/hooks/smoke/Dockerfile', '../outside/Dockerfile'), message: /\.porter\/config:4: hooks\.smoke\[0\]\.dockerfile: .*(outside|escape|\.\.)/ },
  { what: 'an absolute dockerfile path', config: VALID.replace('.porter/hooks/smoke/Dockerfile', '/etc/passwd'), message: /\.porter\/config:4: hooks\.smoke\[0\]\.dockerfile: .*(absolute|outside|relative)/ },
  {
    what: 'a dockerfile reached through a symlink out of the repo', config: VALID.replace('.porter/hooks/smoke/Dockerfile', '.porter/hooks/link/Dockerfile'),
    files: { '.porter/hooks/link': { symlink: '/tmp' } }, message: /\.porter\/config:4: hooks\.smoke\[0\]\.dockerfile: .*(symlink|outside|escape)/,
  },
  { what: 'an option-like plugin repo', config: VALID.replace(HOOK, `${HOOK}  - repo: --upload-pack=touch /tmp/porter-pwned\n    ref: main\n`), message: /\.porter\/config:5: hooks\.smoke\[1\]\.repo: / },
  { what: 'an ext:: plugin transport', config: VALID.replace(HOOK, `${HOOK}  - repo: "ext::sh -c touch% /tmp/porter-pwned"\n    ref: main\n`), message: /\.porter\/config:5: hooks\.smoke\[1\]\.repo: / },
  { what: 'an option-like plugin ref', config: VALID.replace(HOOK, `${HOOK}  - repo: https://example.com/x.git\n    ref: --output=/tmp/porter-pwned\n`), message: /\.porter\/config:6: hooks\.smoke\[1\]\.ref: / },
  { what: 'an environment name with a space', config: VALID.replace('- name: Stage', '- name: "Stage two"'), message: /\.porter\/config:6: environments\[0\]\.name: / },
  { what: 'an environment name like an option', config: VALID.replace('- name: Stage', '- name: "-e"'), message: /\.porter\/config:6: environments\[0\]\.name: / },
  { what: 'an environment name with a path in it', config: VALID.replace('- name: Stage', '- name: ../prod'), message: /\.porter\/config:6: environments\[0\]\.name: / },
  { what: 'a hook environment key that is not a name', config: VALID.replace(HOOK, `${HOOK}    environment:\n      "NOT A NAME": x\n`), message: /\.porter\/config:6: hooks\.smoke\[0\]\.environment/ },
  { what: 'a service name with a newline', config: VALID.replace('service_name: t-bad-input', `service_name: ${q('t-bad\ninput')}`), message: /\.porter\/config:1: service_name: / },
  { what: 'a dockerfile path with a newline', config: VALID.replace('.porter/hooks/smoke/Dockerfile', q('.porter/hooks/smoke/Dockerfile\nx')), message: /\.porter\/config:4: hooks\.smoke\[0\]\.dockerfile: / },
  { what: 'a plugin ref with a newline', config: VALID.replace(HOOK, `${HOOK}  - repo: https://example.com/x.git\n    ref: ${q('main\n--upload-pack=x')}\n`), message: /\.porter\/config:6: hooks\.smoke\[1\]\.ref: / },
  { what: 'an environment value with NUL', config: VALID.replace(HOOK, `${HOOK}    environment:\n      TOKEN: "abc\\0def"\n`), message: /\.porter\/config:6: hooks\.smoke\[0\]\.environment\.TOKEN: contains a NUL character/ },
  { what: 'a dockerfile path with NUL', config: VALID.replace('.porter/hooks/smoke/Dockerfile', '".porter/hooks/smoke/Dockerfile\\0"'), message: /\.porter\/config:4: hooks\.smoke\[0\]\.dockerfile: contains a NUL character/ },
];

describe('faults: bad input through the CLI', { concurrency: 3 }, () => {
  for (const c of cases) {
    test(`${c.what}: exit 2, one clear error, no stack trace, nothing run`, { timeout: 30_000 }, async () => {
      const repo = await tempDir('porter-bad-input-test-');
      await writeTree(repo, { '.porter/hooks/smoke/Dockerfile': 'FROM busybox\n', ...c.files });
      if (c.config !== undefined) await writeFile(join(repo, '.porter', 'config'), c.config);
      else await rm(join(repo, '.porter', 'config'), { force: true });
      const tmp = await porterTmpDir();
      const r = await runPorter(repo, [...(c.args ?? []), 'build', 'hook', '-name', 'smoke'], { DOCKER_HOST: 'unix:///nonexistent/porter-test.sock', TMPDIR: tmp });
      assertExit(r, 2, c.message);
      assert.doesNotMatch(r.stderr, /Docker engine/, 'the config is checked before the engine is asked');
      assert.equal(r.stdout, '', 'nothing ran, so nothing is reported on stdout');
      assert.equal(existsSync(join(repo, '.porter-tmp')), false, 'no .porter-tmp/ for a run that never started');
      assert.equal(existsSync('/tmp/porter-pwned'), false, 'a git option in the config was never run');
    });
  }
});

describe('faults: YAML alias bombs are refused within a second', () => {
  for (const [what, text] of [['billion laughs', laughs(9, 10)], ['wide', laughs(4, 200)], ['merge keys', mergeBomb(30)]] as const) {
    test(`${what}: the loader rejects it with a ConfigError in under a second`, { timeout: 10_000 }, async () => {
      const repo = await tempDir('porter-bad-input-test-');
      await mkdir(join(repo, '.porter', 'hooks', 'smoke'), { recursive: true });
      await writeFile(join(repo, '.porter', 'hooks', 'smoke', 'Dockerfile'), 'FROM busybox\n');
      await writeFile(join(repo, '.porter', 'config'), text);
      const started = performance.now();
      await assert.rejects(loadConfig({ repoDir: repo, env: {} }), (err: unknown) => err instanceof ConfigError && /expand too far/.test(err.message));
      const tookMs = performance.now() - started;
      assert.ok(tookMs < 1_000, `took ${Math.round(tookMs)} ms`);
    });
  }
});
