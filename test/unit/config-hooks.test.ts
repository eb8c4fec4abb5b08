import assert from 'node:assert/strict';
import { mkdir, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { makeLookup } from '../../src/config/expand.js';
import { parseConfigText } from '../../src/config/parse.js';
import { ConfigError } from '../../src/errors.js';
import { configProblems, DOCKERFILE, problemAt, removeTempRepos, tempRepo } from '../fixtures/config/temp-repo.js';

after(removeTempRepos);

const FILE = '.porter/config';
const parse = (text: string, repo: string) => parseConfigText(text, FILE, repo, makeLookup({}, {}));
const problems = (text: string, repo: string) => configProblems(parse(text, repo));
const hooks = (lines: string[]) => ['service_name: hello', 'hooks:', '  pre_pack:', ...lines].join('\n');
const repoWithHook = () => tempRepo({ '.porter/hooks/lint': DOCKERFILE, Dockerfile: DOCKERFILE });

describe('hooks: what a valid config becomes', () => {
  it('normalises a local hook and a plugin, filling in the defaults', async () => {
    const repo = await repoWithHook();
    const config = await parse(hooks([
      '  - dockerfile: ./.porter/hooks/lint',
      '    name: lint',
      '    env_file: .porter/hook.env',
      '    concurrent: true',
      '    timeout: 1h30m',
      '    retries: 2',
      '    retry_on: [timeout]',
      '    build_args: {NODE: 20, FLAG: true, NAME: x}',
      '    environment: {TOKEN: abc}',
      '    secrets: [TOKEN]',
      '    repo_root: ro',
      '    run_condition: always',
      '  post_pack:',
      '  - repo: https://example.com/org/plugins.git',
      '    ref: v1.0.0',
    ]), repo);
    assert.deepEqual({ ...config.hooks.pre_pack?.[0], buildArgs: { ...config.hooks.pre_pack?.[0]?.buildArgs } }, {
      list: 'pre_pack', index: 0, id: 'lint', dockerfile: '.porter/hooks/lint', environment: [{ key: 'TOKEN', value: 'abc' }],
      envFile: '.porter/hook.env', runCondition: 'always', runPolicy: 'always', concurrent: true, timeoutMs: 5_400_000, retries: 2,
      retryOn: ['timeout'], buildArgs: { NODE: '20', FLAG: 'true', NAME: 'x' }, secrets: ['TOKEN'], repoRoot: 'ro', line: 4,
    });
    const plugin = config.hooks.post_pack?.[0];
    assert.equal(plugin?.id, 'post_pack[0]');
    assert.equal(plugin?.dockerfile, 'Dockerfile');
    assert.equal(plugin?.runCondition, 'pass');
    assert.equal(plugin?.concurrent, false);
    assert.equal(plugin?.repoRoot, 'rw');
    assert.equal(plugin?.timeoutMs, undefined);
    assert.equal(plugin?.line, 17);
  });

  it('reads the map and list forms of environment the same way, Compose-style', async () => {
    const repo = await repoWithHook();
    const config = await parse(hooks([
      '  - dockerfile: Dockerfile',
      '    environment: {FOO: bar, BAZ:, EMPTY: "", VER: 1.10, ON: true, EQ: a=b}',
      '  - dockerfile: Dockerfile',
      '    environment: [FOO=bar, BAZ, EMPTY=, VER=1.10, ON=true, EQ=a=b]',
    ]), repo);
    const expected = [
      { key: 'FOO', value: 'bar' }, { key: 'BAZ', value: null }, { key: 'EMPTY', value: '' },
      { key: 'VER', value: '1.10' }, { key: 'ON', value: 'true' }, { key: 'EQ', value: 'a=b' },
    ];
    assert.deepEqual(config.hooks.pre_pack?.[0]?.environment, expected);
    assert.deepEqual(config.hooks.pre_pack?.[1]?.environment, expected);
  });

  it('keeps user-defined lists, empty lists, and lists named like Object properties', async () => {
    const repo = await repoWithHook();
    const config = await parse(['service_name: hello', 'hooks:', '  post_pack:', '  constructor:', '  - dockerfile: Dockerfile'].join('\n'), repo);
    assert.deepEqual(config.hooks.post_pack, []);
    assert.equal(config.hooks.constructor?.length, 1);
    assert.equal(config.hooks.toString, undefined);
  });
});

describe('hooks: problems', () => {
  it('suggests the key a misspelling meant', async () => {
    const found = await problems(hooks(['  - dockerfile: Dockerfile', '    run_conditon: always']), await repoWithHook());
    const p = problemAt(found, 'hooks.pre_pack[0].run_conditon');
    assert.equal(p.line, 5);
    assert.equal(p.message, 'unknown key "run_conditon"; did you mean run_condition?');
  });

  it('lists the allowed keys when no key is close', async () => {
    const found = await problems(hooks(['  - dockerfile: Dockerfile', '    image: alpine']), await repoWithHook());
    assert.match(problemAt(found, 'hooks.pre_pack[0].image').message, /unknown key "image"; the keys allowed here are name, dockerfile, repo, ref/);
  });

  it('reports every problem at once, in line order, in one error', async () => {
    const text = hooks([
      '  - dockerfile: Dockerfile',
      '    run_condition: sometimes',
      '    concurrent: yes',
      '    timeout: 90',
      '    retries: -1',
      '    repo_root: readonly',
    ]);
    let message = '';
    const found = await configProblems(parse(text, await repoWithHook()).catch((err: unknown) => {
      message = err instanceof ConfigError ? err.message : '';
      throw err;
    }));
    assert.deepEqual(found.map((p) => p.line), [5, 6, 7, 8, 9]);
    assert.match(message, /^The config has 5 problems; fix them and run again:\n {2}\.porter\/config:5: hooks\.pre_pack\[0\]\.run_condition: must be one of pass, fail, always, not "sometimes"\./);
    assert.match(message, /\.porter\/config:6: hooks\.pre_pack\[0\]\.concurrent: must be true or false, not a string \(YAML 1\.2 reads "yes" as text\)/);
    assert.match(message, /\.porter\/config:7: hooks\.pre_pack\[0\]\.timeout: must be a duration such as 500ms, 90s, 10m or 1h30m, not an integer\./);
    assert.match(message, /\.porter\/config:8: hooks\.pre_pack\[0\]\.retries: is -1; the smallest allowed is 0\./);
    assert.match(message, /\.porter\/config:9: hooks\.pre_pack\[0\]\.repo_root: must be one of rw, ro, not "readonly"\./);
  });

  it('checks timeouts, retries, retry_on, build_args and hook_timeout', async () => {
    const found = await problems(['service_name: hello', 'hook_timeout: 25h', 'hooks:', '  pre_pack:', '  - dockerfile: Dockerfile',
      '    timeout: 0s', '    retries: 11', '    retry_on: [exit]', '    build_args: {A: [1]}', '  - dockerfile: Dockerfile', '    retries: 1.5'].join('\n'), await repoWithHook());
    assert.match(problemAt(found, 'hook_timeout').message, /longer than 24h/);
    assert.match(problemAt(found, 'hooks.pre_pack[0].timeout').message, /"0s" is zero/);
    assert.match(problemAt(found, 'hooks.pre_pack[0].retries').message, /is 11; the largest allowed is 10/);
    assert.match(problemAt(found, 'hooks.pre_pack[0].retry_on[0]').message, /must be one of timeout, start, not "exit"/);
    assert.match(problemAt(found, 'hooks.pre_pack[0].build_args.A').message, /must be a value \(string, number or boolean\), not a list/);
    assert.match(problemAt(found, 'hooks.pre_pack[1].retries').message, /must be a whole number, not a number/);
  });

  it('checks environment keys and values in both forms', async () => {
    const found = await problems(hooks([
      '  - dockerfile: Dockerfile',
      '    environment:',
      '      1BAD: x',
      '      PORTER_SERVICE_NAME: mine',
      '      NESTED: {a: 1}',
      '      NUL: "a\\0b"',
      '  - dockerfile: Dockerfile',
      '    environment: [GOOD=1, "9X=s3cret-value", PORTER_X, GOOD=2]',
      '  - dockerfile: Dockerfile',
      '    environment: just-a-string',
    ]), await repoWithHook());
    assert.match(problemAt(found, 'hooks.pre_pack[0].environment["1BAD"]').message, /^key "1BAD" is invalid: use an environment variable name/);
    assert.match(problemAt(found, 'hooks.pre_pack[0].environment.PORTER_SERVICE_NAME').message, /is reserved: porter sets the PORTER_ variables itself/);
    assert.match(problemAt(found, 'hooks.pre_pack[0].environment.NESTED').message, /not a map/);
    assert.match(problemAt(found, 'hooks.pre_pack[0].environment.NUL').message, /contains a NUL character/);
    const redacted = problemAt(found, 'hooks.pre_pack[1].environment[1]');
    assert.equal(redacted.message, 'is invalid: use KEY=value or KEY, where KEY is letters, digits and _, not starting with a digit.');
    assert.match(problemAt(found, 'hooks.pre_pack[1].environment[2]').message, /"PORTER_X" is reserved/);
    assert.match(problemAt(found, 'hooks.pre_pack[1].environment[3]').message, /"GOOD" is already set by hooks\.pre_pack\[1\]\.environment\[0\] \(line 11\)/);
    assert.match(problemAt(found, 'hooks.pre_pack[2].environment').message, /^must be a map \(KEY: value\) or a list \(- KEY=value\), not a string\.$/);
    assert.ok(found.every((p) => !p.message.includes('s3cret')));
  });

  it('requires secrets to be keys of the environment', async () => {
    const found = await problems(hooks(['  - dockerfile: Dockerfile', '    environment: [TOKEN]', '    secrets: [TOKEN, OTHER]']), await repoWithHook());
    assert.equal(found.length, 1);
    assert.match(problemAt(found, 'hooks.pre_pack[0].secrets[1]').message, /"OTHER" is not in this hook's environment/);
  });

  it('takes run_policy once only in pre_/post_provision, saying why elsewhere', async () => {
    const repo = await repoWithHook();
    const text = ['service_name: hello', 'hooks:', '  post_provision:', '  - dockerfile: Dockerfile', '    run_policy: once',
      '  pre_pack:', '  - dockerfile: Dockerfile', '    run_policy: once', '  smoke:', '  - dockerfile: Dockerfile', '    run_policy: always',
      '  pre_provision:', '  - dockerfile: Dockerfile', '    run_policy: sometimes'].join('\n');
    const found = await problems(text, repo);
    assert.deepEqual(found.map((p) => [p.line, p.path]).sort(), [[11, 'hooks.smoke[0].run_policy'], [14, 'hooks.pre_provision[0].run_policy'], [8, 'hooks.pre_pack[0].run_policy']].sort());
    assert.match(problemAt(found, 'hooks.pre_pack[0].run_policy').message, /^has no meaning in pre_pack: run_policy says whether a hook runs on every provision .* only for pre_provision and post_provision hooks/);
    assert.match(problemAt(found, 'hooks.pre_provision[0].run_policy').message, /must be one of always, once, not "sometimes"/);
    const config = await parse(['service_name: hello', 'hooks:', '  post_provision:', '  - dockerfile: Dockerfile', '    run_policy: once', '  - dockerfile: Dockerfile'].join('\n'), repo);
    assert.deepEqual(config.hooks.post_provision?.map((h) => h.runPolicy), ['once', 'always']);
  });

  it('refuses a duplicate hook name, naming both lines', async () => {
    const found = await problems(hooks(['  - name: lint', '    dockerfile: Dockerfile', '  - name: lint.2', '    dockerfile: Dockerfile', '  - name: lint', '    dockerfile: Dockerfile', '  - name: "-bad"', '    dockerfile: Dockerfile']), await repoWithHook());
    const dup = problemAt(found, 'hooks.pre_pack[2].name');
    assert.equal(dup.line, 8);
    assert.match(dup.message, /"lint" is already the name of hooks\.pre_pack\[0\] \(line 4\).*lines 4 and 8/);
    assert.match(problemAt(found, 'hooks.pre_pack[3].name').message, /"-bad" is invalid: use letters, digits, _, \. and -/);
  });

  it('checks hook list names, and a near miss of a phase list', async () => {
    const found = await problems(['service_name: hello', 'hooks:', '  pre_pakc: []', '  "bad name": []', '  smoke_test: []'].join('\n'), await repoWithHook());
    assert.match(problemAt(found, 'hooks.pre_pakc').message, /is not a phase list.*did you mean pre_pack\?/);
    assert.match(problemAt(found, 'hooks["bad name"]').message, /^key "bad name" is invalid: use a hook list name/);
    assert.equal(found.length, 2);
  });

  it('pairs repo with ref, and asks a local hook for its dockerfile', async () => {
    const found = await problems(hooks(['  - repo: https://example.com/p.git', '  - ref: v1', '  - environment: {A: b}']), await repoWithHook());
    assert.deepEqual(found.map((p) => [p.line, p.path]), [[4, 'hooks.pre_pack[0].ref'], [5, 'hooks.pre_pack[1].dockerfile'], [5, 'hooks.pre_pack[1].ref'], [6, 'hooks.pre_pack[2].dockerfile']]);
    assert.match(found[0]?.message ?? '', /is missing: a plugin hook \(one with repo:\) needs ref/);
    assert.match(found[1]?.message ?? '', /is missing: a local hook needs dockerfile:/);
    assert.match(found[2]?.message ?? '', /is only for plugin hooks: add repo:/);
  });
});
