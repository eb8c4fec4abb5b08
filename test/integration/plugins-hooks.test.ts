/** Plugin hooks through the CLI, on the real engine and real git (file://, git://, dumb http://): DESIGN "Plugins". */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readdir, readFile, rename, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { repoCachePaths } from '../../src/git/plugin-cache.js';
import { assertNothingLeft, describeDocker, removeTempDirs, sweep, tempDir, uniqueRunId } from '../helpers/docker.js';
import {
  createPluginRemote, freePort, git, gitSpy, startDumbHttpServer, startGitDaemon,
  type GitDaemon, type PluginRemote,
} from '../helpers/git-remote.js';
import { HOOK, hookRepo, scriptHook } from '../helpers/hook-repo.js';
import { failureText, hookLines, runPorter, summaryRow } from '../helpers/porter-cli.js';

const service = uniqueRunId();
const labels = { 'porter.service': service };

/** The plugin's hook: prints which commit it is, its build context, what porter gave it, and marks /repo_root. */
const runScript = (version: string): string => `echo "version ${version}"
ls -A /ctx | xargs echo context:
echo "list=$PORTER_HOOK_NAME service=$PORTER_SERVICE_NAME greeting=\${GREETING:-}"
mkdir -p /repo_root/marks && touch "/repo_root/marks/$ME"
`;
const NOTIFY_DOCKERFILE = 'FROM busybox\nCOPY . /ctx/\nCMD ["sh", "/ctx/run.sh"]\n';

let root = '';
let remotes = '';
let daemon: GitDaemon | undefined;
let tools: PluginRemote & { firstCommit: string };
let v2 = '';

/** A fresh plugin cache (XDG_CACHE_HOME) for one test; removed with the other temp dirs. */
async function freshCache(): Promise<{ home: string; dir: string }> {
  const home = await tempDir('porter-plugin-cache-test-');
  return { home, dir: join(home, 'porter', 'plugins') };
}

/** A plugin hook as YAML lines of a list. */
function pluginHook(name: string, repo: string, ref: string, fields: Record<string, string | boolean> = {}, env: Record<string, string> = {}): string {
  const lines = [`  - name: ${name}`, `    repo: ${JSON.stringify(repo)}`, `    ref: ${JSON.stringify(ref)}`];
  for (const [k, v] of Object.entries(fields)) lines.push(`    ${k}: ${typeof v === 'string' ? JSON.stringify(v) : String(v)}`);
  if (Object.keys(env).length > 0) lines.push('    environment:', ...Object.entries(env).map(([k, v]) => `      ${k}: ${JSON.stringify(v)}`));
  return lines.join('\n');
}

const config = (lists: Record<string, string[]>): string =>
  `service_name: ${service}\nhooks:\n${Object.entries(lists).map(([name, hooks]) => `  ${name}:\n${hooks.join('\n')}`).join('\n')}\n`;

/** The `git fetch` calls a spy logged (after simple-git's leading `-c key=value` pairs). */
async function fetchCalls(log: string): Promise<string[]> {
  return (await readFile(log, 'utf8')).split('\n').filter((c) => /^(-c \S+ )*fetch /.test(c));
}

after(() => removeTempDirs());

await describeDocker('plugin hooks through the CLI', () => {
  before(async () => {
    root = await tempDir('porter-plugins-hooks-test-');
    remotes = join(root, 'remotes');
    tools = await createPluginRemote(remotes, 'tools', {
      Dockerfile: 'FROM busybox\nCMD ["echo", "root Dockerfile"]\n', 'top.txt': 'outside the context\n',
      'notify/Dockerfile': NOTIFY_DOCKERFILE, 'notify/run.sh': runScript('one'),
    });
    tools.tag('v1');
    v2 = tools.commit({ 'notify/run.sh': runScript('two') }, 'two');
    tools.commit({ 'notify/run.sh': runScript('tip') }, 'tip');
    daemon = await startGitDaemon(remotes);
  });

  after(async () => {
    await daemon?.stop();
    await sweep(labels);
    await assertNothingLeft(labels);
  }, { timeout: 60_000 });

  test('branch, tag and sha over file:// and git:// are cloned, built from the Dockerfile\'s directory and run like a local hook', { timeout: 120_000 }, async () => {
    const cache = await freshCache();
    const home = await tempDir('porter-plugin-home-test-');
    assert.ok(daemon, 'the git daemon did not start');
    const urls = { file: `file://${tools.bare}`, git: daemon.url('tools.git') };
    const hooks: string[] = [];
    for (const [transport, url] of Object.entries(urls)) {
      for (const [kind, ref] of [['branch', 'main'], ['tag', 'v1'], ['sha', v2]] as const) {
        hooks.push(pluginHook(`${transport}-${kind}`, url, ref, { dockerfile: 'notify/Dockerfile' }, { ME: `${transport}-${kind}`, GREETING: 'hi' }));
      }
    }
    const repo = await hookRepo(config({ plugged: hooks }));
    const r = await runPorter(repo, ['build', 'hook', '-name', 'plugged'], { XDG_CACHE_HOME: cache.home, HOME: home });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const expected = { branch: 'tip', tag: 'one', sha: 'two' };
    for (const transport of Object.keys(urls)) {
      for (const [kind, version] of Object.entries(expected)) {
        const name = `${transport}-${kind}`;
        assert.deepEqual(hookLines(r.stdout, `plugged ${name}`), [
          `version ${version}`, 'context: Dockerfile run.sh', `list=plugged service=${service} greeting=hi`,
        ], name);
        assert.equal(summaryRow(r.stdout, `plugged ${name}`)?.status, 'passed');
      }
    }
    assert.deepEqual((await readdir(join(repo, 'marks'))).sort(), ['file-branch', 'file-sha', 'file-tag', 'git-branch', 'git-sha', 'git-tag']);
    // The clones are in $XDG_CACHE_HOME/porter/plugins, one checkout per resolved commit; nothing went to $HOME.
    const fileCheckouts = await readdir(repoCachePaths(cache.dir, urls.file).checkouts);
    assert.deepEqual(fileCheckouts.sort(), [tools.firstCommit, v2, git(tools.bare, 'rev-parse', 'main')].sort());
    assert.equal((await readdir(repoCachePaths(cache.dir, urls.git).checkouts)).length, 3);
    assert.deepEqual(await readdir(home), []);
  });

  test('two hooks of one run on the same repo@ref fetch once; a cached tag then runs with the remote gone, without fetching', { timeout: 120_000 }, async () => {
    const solo = await createPluginRemote(remotes, 'solo', { Dockerfile: 'FROM busybox\nCMD ["echo", "solo root"]\n', 'notify/Dockerfile': NOTIFY_DOCKERFILE, 'notify/run.sh': runScript('solo') });
    solo.tag('v1');
    const cache = await freshCache();
    const spy = await gitSpy(await tempDir('porter-plugin-spy-test-'));
    const env = { XDG_CACHE_HOME: cache.home, PATH: `${spy.binDir}:${process.env.PATH ?? ''}` };
    const url = `file://${solo.bare}`;
    const repo = await hookRepo(config({
      twice: [
        pluginHook('a', url, 'v1', { concurrent: true }),
        pluginHook('b', url, 'v1', { concurrent: true, dockerfile: 'notify/Dockerfile' }, { ME: 'b' }),
        pluginHook('c', url, 'v1', { dockerfile: 'notify/Dockerfile' }, { ME: 'c' }),
      ],
    }));
    const first = await runPorter(repo, ['build', 'hook', '-name', 'twice'], env);
    assert.equal(first.code, 0, first.stdout + first.stderr);
    assert.deepEqual(hookLines(first.stdout, 'twice a'), ['solo root']);
    assert.equal(hookLines(first.stdout, 'twice b')[0], 'version solo');
    assert.equal(hookLines(first.stdout, 'twice c')[0], 'version solo');
    assert.equal((await fetchCalls(spy.log)).length, 1, 'three hooks on one repo@ref must share one fetch');

    await writeFile(spy.log, '');
    await rename(solo.bare, `${solo.bare}.gone`);
    const second = await runPorter(repo, ['build', 'hook', '-name', 'twice'], env);
    assert.equal(second.code, 0, second.stdout + second.stderr);
    assert.deepEqual(['a', 'b', 'c'].map((h) => summaryRow(second.stdout, `twice ${h}`)?.status), ['passed', 'passed', 'passed']);
    assert.deepEqual(await fetchCalls(spy.log), [], 'a cached tag must not be fetched');
    assert.ok((await readFile(spy.log, 'utf8')).includes('rev-parse'), 'the spy saw no git at all: it is not on porter\'s PATH');
  });

  test('a branch that cannot be fetched fails its hook naming repo and branch (no stale clone); later fail and always hooks run', { timeout: 120_000 }, async () => {
    const moving = await createPluginRemote(remotes, 'moving', { Dockerfile: 'FROM busybox\nCMD ["echo", "moving main"]\n' });
    const cache = await freshCache();
    const url = `file://${moving.bare}`;
    const repo = await hookRepo(config({
      once: [pluginHook('plug', url, 'main')],
      again: [
        pluginHook('plug', url, 'main'),
        scriptHook('mark.sh', { name: 'next' }, { ME: 'next' }),
        scriptHook('mark.sh', { name: 'on-fail', run_condition: 'fail' }, { ME: 'on-fail' }),
        scriptHook('mark.sh', { name: 'finally', run_condition: 'always' }, { ME: 'finally' }),
      ],
    }), { 'scripts/mark.sh': 'mkdir -p /repo_root/marks && touch /repo_root/marks/$ME && echo "$ME ran"\n' });
    const env = { XDG_CACHE_HOME: cache.home };
    const cached = await runPorter(repo, ['build', 'hook', '-name', 'once'], env);
    assert.equal(cached.code, 0, cached.stdout + cached.stderr);
    assert.deepEqual(hookLines(cached.stdout, 'once plug'), ['moving main']);

    await rename(moving.bare, `${moving.bare}.gone`);
    const r = await runPorter(repo, ['build', 'hook', '-name', 'again'], env);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.deepEqual(['plug', 'next', 'on-fail', 'finally'].map((h) => summaryRow(r.stdout, `again ${h}`)?.status), ['failed', 'skipped', 'passed', 'passed']);
    assert.deepEqual(hookLines(r.stdout, 'again plug'), [], 'the stale cached branch ran');
    const reason = failureText(r.stdout, 'again plug');
    assert.match(reason, new RegExp(`Could not fetch branch "main" of plugin ${url.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: git said ".+"\\. Refusing to use the cached copy`));
    assert.deepEqual((await readdir(join(repo, 'marks'))).sort(), ['finally', 'on-fail']);
    assert.equal(r.stderr, '');
  });

  test('an unknown ref, an unreachable repo and a missing Dockerfile fail their hook (exit 1), naming repo, ref and path', { timeout: 120_000 }, async () => {
    const cache = await freshCache();
    const url = `file://${tools.bare}`;
    const nobody = `git://127.0.0.1:${await freePort()}/tools.git`;
    const repo = await hookRepo(config({
      broken: [
        pluginHook('unknown-ref', url, 'no-such-ref', { dockerfile: 'notify/Dockerfile' }),
        pluginHook('unreachable', nobody, 'v1', { dockerfile: 'notify/Dockerfile', run_condition: 'always' }),
        pluginHook('no-dockerfile', url, 'v1', { dockerfile: 'nothere/Dockerfile', run_condition: 'always' }),
        pluginHook('still-runs', url, 'v1', { run_condition: 'always' }),
      ],
    }));
    const r = await runPorter(repo, ['build', 'hook', '-name', 'broken'], { XDG_CACHE_HOME: cache.home });
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.deepEqual(['unknown-ref', 'unreachable', 'no-dockerfile', 'still-runs'].map((h) => summaryRow(r.stdout, `broken ${h}`)?.status), ['failed', 'failed', 'failed', 'passed']);
    const cases: [string, string, string, string, RegExp][] = [
      ['unknown-ref', url, 'no-such-ref', 'notify/Dockerfile', /has no ref "no-such-ref": tried it as a branch, then as a tag/],
      ['unreachable', nobody, 'v1', 'notify/Dockerfile', /Could not clone plugin .*: git said ".*(refused|unable to connect).*"/i],
      ['no-dockerfile', url, 'v1', 'nothere/Dockerfile', /no Dockerfile at/],
    ];
    for (const [hook, repoUrl, ref, path, why] of cases) {
      const reason = failureText(r.stdout, `broken ${hook}`);
      assert.ok(reason.includes(`${repoUrl}@${ref}:${path}`), `${hook} must name repo, ref and path: ${reason}`);
      assert.match(reason, why);
      assert.equal(reason.split('\n').length, 1, `${hook}: one paragraph: ${reason}`);
    }
    assert.deepEqual(hookLines(r.stdout, 'broken still-runs'), ['root Dockerfile']);
    assert.equal(r.stderr, '');
  });

  test('a plugin dockerfile that is a symlink out of its clone is refused with exit 2, naming the config line and key', { timeout: 60_000 }, async () => {
    const evil = await createPluginRemote(remotes, 'evil', { Dockerfile: 'FROM busybox\n' });
    const work = join(remotes, 'evil-work');
    await symlink('/etc/passwd', join(work, 'Escape'));
    git(work, 'add', '--all');
    git(work, 'commit', '--quiet', '-m', 'escape');
    git(work, 'push', '--quiet', 'origin', 'main');
    const cache = await freshCache();
    const repo = await hookRepo(config({ evil: [pluginHook('fine', `file://${evil.bare}`, 'main'), pluginHook('escape', `file://${evil.bare}`, 'main', { dockerfile: 'Escape' })] }));
    const r = await runPorter(repo, ['build', 'hook', '-name', 'evil'], { XDG_CACHE_HOME: cache.home });
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.match(r.stderr, /^porter: \.porter\/config:7: hooks\.evil\[1\]\.dockerfile: file:\/\/.*evil\.git@main:Escape resolves outside its plugin checkout \(through a symlink\); a hook's Dockerfile must stay inside it\.\n$/);
    assert.deepEqual(hookLines(r.stdout, 'evil escape'), []);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'a stack trace');
  });

  test('an option-like repo or ref and the ext:: and fd:: transports are config errors (exit 2) before any git runs', { timeout: 60_000 }, async () => {
    const cache = await freshCache();
    const spy = await gitSpy(await tempDir('porter-plugin-spy-test-'));
    const pwned = join(root, 'pwned');
    const repo = await hookRepo(config({
      bad: [
        pluginHook('opt-repo', '--upload-pack=touch /tmp/x', 'v1'),
        pluginHook('opt-ref', `file://${tools.bare}`, '--output=/tmp/x'),
        pluginHook('ext', `ext::sh -c touch% ${pwned}`, 'v1'),
        pluginHook('fd', 'fd::3', 'v1'),
      ],
    }));
    const r = await runPorter(repo, ['build', 'hook', '-name', 'bad'], { XDG_CACHE_HOME: cache.home, PATH: `${spy.binDir}:${process.env.PATH ?? ''}` });
    assert.equal(r.code, 2, r.stdout + r.stderr);
    const lines = r.stderr.trimEnd().split('\n');
    assert.equal(lines[0], 'porter: The config has 4 problems; fix them and run again:');
    assert.match(lines[1] ?? '', /^ {2}\.porter\/config:5: hooks\.bad\[0\]\.repo: repo "--upload-pack=touch \/tmp\/x" starts with "-", so git could read it as an option; also, it contains whitespace/);
    assert.equal(lines[2], '  .porter/config:9: hooks.bad[1].ref: ref "--output=/tmp/x" starts with "-", so git could read it as an option.');
    assert.match(lines[3] ?? '', /^ {2}\.porter\/config:11: hooks\.bad\[2\]\.repo: repo "ext::sh -c touch% .*" uses git's "<transport>::" remote-helper syntax \(ext:: and fd:: run commands\)/);
    assert.match(lines[4] ?? '', /^ {2}\.porter\/config:14: hooks\.bad\[3\]\.repo: repo "fd::3" uses git's "<transport>::" remote-helper syntax/);
    assert.equal(lines.length, 5);
    assert.equal(await readFile(spy.log, 'utf8'), '', 'git ran before the config was refused');
    assert.equal(existsSync(pwned), false);
    assert.deepEqual(await readdir(cache.home), []);
  });

  test('credentials in a repo URL appear in no output: text, json or junit, passing or failing', { timeout: 120_000 }, async () => {
    const http = await startDumbHttpServer(remotes);
    try {
      const token = 'tok-s3cret-9f2c';
      const cache = await freshCache();
      const base = `http://deploy:\${PLUGIN_TOKEN}@127.0.0.1:${http.port}`;
      const repo = await hookRepo(config({
        creds: [
          pluginHook('ok', `${base}/tools.git`, 'v1', { dockerfile: 'notify/Dockerfile' }, { ME: 'ok' }),
          pluginHook('denied', `${base}/private/tools.git`, 'v1', { run_condition: 'always' }),
          pluginHook('unknown', `${base}/tools.git`, 'nope', { run_condition: 'always' }),
          pluginHook('missing', `${base}/tools.git`, 'v1', { dockerfile: 'none/Dockerfile', run_condition: 'always' }),
        ],
      }));
      const env = { XDG_CACHE_HOME: cache.home, PLUGIN_TOKEN: token };
      const text = await runPorter(repo, ['--junit', 'report.xml', 'build', 'hook', '-name', 'creds'], env);
      assert.equal(text.code, 1, text.stdout + text.stderr);
      assert.equal(hookLines(text.stdout, 'creds ok')[0], 'version one');
      assert.deepEqual(['ok', 'denied', 'unknown', 'missing'].map((h) => summaryRow(text.stdout, `creds ${h}`)?.status), ['passed', 'failed', 'failed', 'failed']);
      const shown = `http://***@127.0.0.1:${http.port}`;
      for (const hook of ['denied', 'unknown', 'missing']) assert.ok(failureText(text.stdout, `creds ${hook}`).includes(shown), `${hook} must name the repo, redacted`);
      const junit = await readFile(join(repo, 'report.xml'), 'utf8');
      assert.ok(junit.includes(shown), 'the junit report does not name the repo at all');

      const json = await runPorter(repo, ['--log-format', 'json', 'build', 'hook', '-name', 'creds'], env);
      assert.equal(json.code, 1, json.stdout + json.stderr);
      assert.ok(json.stdout.includes(shown));
      // Nor anywhere in the cache: the `.url` notes, the mirrors' FETCH_HEAD and config, the checkouts.
      const cached = await readdir(cache.dir, { recursive: true, withFileTypes: true });
      const files = cached.filter((e) => e.isFile()).map((e) => join(e.parentPath ?? e.path, e.name));
      assert.ok(files.some((f) => f.endsWith('.url')) && files.some((f) => f.endsWith('FETCH_HEAD')), 'the cache holds no repo notes to check');
      const cacheText = (await Promise.all(files.map((f) => readFile(f, 'latin1')))).join('\n');
      for (const [where, out] of Object.entries({ stdout: text.stdout, stderr: text.stderr, junit, jsonStdout: json.stdout, jsonStderr: json.stderr, cache: cacheText })) {
        assert.equal(out.includes(token), false, `the token is in ${where}`);
        assert.equal(out.includes('deploy:'), false, `the user:password is in ${where}`);
      }
    } finally {
      await http.stop();
    }
  });
});
