/** `porter build hook` spawned as a user runs it: one hook's build, mounts, environment, output and exit codes. */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { describeDocker, removeTempDirs, sweepAfterSuite, uniqueRunId } from '../helpers/docker.js';
import { engineList, labelQuery } from '../helpers/engine-api.js';
import { HOOK, hookRepo, readRepoFile, scriptHook, shortSha } from '../helpers/hook-repo.js';
import { hookLines, runPorter, SENTINEL, summaryRow } from '../helpers/porter-cli.js';

const service = uniqueRunId();
const labels = { 'porter.service': service };
const NO_STACK = /\n\s+at .+:\d+:\d+/;

after(() => removeTempDirs());

describe('porter build hook: usage, config and engine errors exit 2 with one paragraph', () => {
  const config = `service_name: ${service}\nhooks:\n  smoke:\n${scriptHook('ok.sh')}\n`;

  test('a reserved list name, an unknown list and an unknown environment are usage errors, found before Docker', { timeout: 30_000 }, async () => {
    const repo = await hookRepo(config);
    // No engine answers here: each error must come from the command line and config alone.
    const noEngine = { DOCKER_HOST: 'unix:///tmp/none.sock' };
    const reserved = await runPorter(repo, ['build', 'hook', '-name', 'pre_pack'], noEngine);
    assert.equal(reserved.code, 2, reserved.stderr);
    assert.match(reserved.stderr, /pre_pack is a phase hook list; it runs with `porter build pack`/);
    const unknown = await runPorter(repo, ['build', 'hook', '--name', 'smok'], noEngine);
    assert.equal(unknown.code, 2, unknown.stderr);
    assert.match(unknown.stderr, /defines no hook list named smok\. User-defined lists: smoke\./);
    const env = await runPorter(repo, ['build', 'hook', '-name', 'smoke', '-e', 'Stage'], noEngine);
    assert.equal(env.code, 2, env.stderr);
    assert.match(env.stderr, /Unknown environment "Stage" \(-e Stage\)/);
    for (const r of [reserved, unknown, env]) assert.doesNotMatch(r.stderr, NO_STACK);
  });

  test('an invalid config is exit 2 naming file, line and key, with no stack trace', { timeout: 30_000 }, async () => {
    const repo = await hookRepo(`service_name: ${service}\nhooks:\n  smoke:\n  - dockerfile: ${HOOK.exit3}\n    run_conditon: always\n`);
    const r = await runPorter(repo, ['build', 'hook', '-name', 'smoke']);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /\.porter\/config:5: hooks\.smoke\[0\]\.run_conditon: unknown key "run_conditon"; did you mean run_condition\?/);
    assert.doesNotMatch(r.stderr, NO_STACK);
  });

  test('an unreachable Docker engine is exit 2 naming DOCKER_HOST', { timeout: 30_000 }, async () => {
    const repo = await hookRepo(config);
    const r = await runPorter(repo, ['build', 'hook', '-name', 'smoke'], { DOCKER_HOST: 'unix:///tmp/none.sock' });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /Cannot reach the Docker engine at unix:\/\/\/tmp\/none\.sock/);
    assert.doesNotMatch(r.stderr, NO_STACK);
  });
});

await describeDocker('porter build hook: one hook on the real engine', () => {
  sweepAfterSuite(labels);

  test('a local hook builds from its own directory, honouring its .dockerignore, into one labelled image reused next time', { timeout: 90_000 }, async () => {
    const repo = await hookRepo(`service_name: ${service}\nhooks:\n  ctx:\n  - dockerfile: ${HOOK.ownContext}\n`, { 'at-repo-root.txt': 'not in the hook context' });
    const first = await runPorter(repo, ['build', 'hook', '-name', 'ctx']);
    assert.equal(first.code, 0, first.stdout + first.stderr);
    const files = hookLines(first.stdout, 'ctx ctx[0]');
    assert.deepEqual(files.filter((f) => f !== './.dockerignore'), ['./Dockerfile', './kept.txt', './logs/keep.txt']);

    const images = await engineList<{ Id: string; RepoTags: string[] | null; Labels: Record<string, string> }>(`/images/json?${labelQuery({ ...labels, 'porter.hook': 'ctx/ctx[0]' })}`);
    assert.equal(images.length, 1);
    assert.match(images[0]?.RepoTags?.[0] ?? '', new RegExp(`^porter-hook-${service}:[0-9a-f]{12}$`));
    const again = await runPorter(repo, ['build', 'hook', '-name', 'ctx']);
    assert.equal(again.code, 0, again.stderr);
    const after = await engineList<{ Id: string }>(`/images/json?${labelQuery({ ...labels, 'porter.hook': 'ctx/ctx[0]' })}`);
    assert.deepEqual(after.map((i) => i.Id), images.map((i) => i.Id), 'unchanged inputs reuse the image');
    assert.deepEqual(await engineList(`/containers/json?all=1&${labelQuery(labels)}`), [], 'the hook container is removed');
  });

  test('/repo_root is the repo, read-write by default and read-only with repo_root: ro', { timeout: 60_000 }, async () => {
    const repo = await hookRepo(
      `service_name: ${service}\nhooks:\n  rw:\n${scriptHook('write.sh')}\n  ro:\n${scriptHook('write.sh', { repo_root: 'ro' })}\n`,
      { 'scripts/write.sh': 'pwd\nmkdir -p /repo_root/out && echo "written by $PORTER_HOOK_NAME" > /repo_root/out/from-hook.txt\n' },
    );
    const rw = await runPorter(repo, ['build', 'hook', '-name', 'rw']);
    assert.equal(rw.code, 0, rw.stdout);
    assert.deepEqual(hookLines(rw.stdout, 'rw rw[0]'), ['/repo_root']);
    assert.equal(await readRepoFile(repo, 'out/from-hook.txt'), 'written by rw\n');

    const ro = await runPorter(repo, ['build', 'hook', '-name', 'ro']);
    assert.equal(ro.code, 1, ro.stdout);
    assert.match(ro.stdout, /\[ro ro\[0\]\] .*Read-only file system/);
    assert.equal(summaryRow(ro.stdout, 'ro ro[0]')?.status, 'failed');
  });

  test('a hook gets the standard variables, env_file, then environment (map and list, Compose pass-through) and nothing else', { timeout: 60_000 }, async () => {
    const repo = await hookRepo(
      [
        `service_name: ${service}`,
        'hooks:',
        '  env-map:',
        `  - dockerfile: ${HOOK.printEnv}`,
        '    env_file: .porter/hook.env',
        '    environment:',
        '      FIXED: fixed value',
        '      FROM_HOST:',
        '      UNSET_ON_HOST:',
        '      OVERRIDDEN: from environment',
        '  env-list:',
        `  - dockerfile: ${HOOK.printEnv}`,
        '    environment:',
        '    - LISTED=one=two',
        '    - FROM_HOST',
        '    - UNSET_ON_HOST',
        '',
      ].join('\n'),
      { '.porter/hook.env': 'FROM_FILE=file value\nOVERRIDDEN=from env_file\n' },
    );
    const version = shortSha(repo);
    const host = { FROM_HOST: 'host value', UNSET_ON_HOST: undefined };
    const seen = async (list: string): Promise<Record<string, string>> => {
      const r = await runPorter(repo, ['build', 'hook', '-name', list], host);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.ok(!r.stdout.includes(SENTINEL.value), 'the host environment leaked into the hook');
      return Object.fromEntries(hookLines(r.stdout, `${list} ${list}[0]`).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
    };
    const standard = { PORTER_SERVICE_NAME: service, PORTER_SERVICE_VERSION: version, PORTER_HOOK_ATTEMPT: '1', PORTER_HOOK_STATUS: 'passed', PORTER_OUTPUT: '/porter/output' };
    // PATH comes from the image; HOSTNAME and HOME are set by Docker itself in every container.
    const { PATH, HOSTNAME, HOME, ...map } = await seen('env-map');
    assert.ok(PATH && HOSTNAME && HOME);
    assert.deepEqual(map, { ...standard, PORTER_HOOK_NAME: 'env-map', FROM_FILE: 'file value', FIXED: 'fixed value', FROM_HOST: 'host value', OVERRIDDEN: 'from environment' });
    const { PATH: _p, HOSTNAME: _h, HOME: _home, ...list } = await seen('env-list');
    assert.deepEqual(list, { ...standard, PORTER_HOOK_NAME: 'env-list', LISTED: 'one=two', FROM_HOST: 'host value' });
  });

  test('live output: each line whole, prefixed with its hook, stderr too, even from concurrent hooks', { timeout: 60_000 }, async () => {
    const script = 'i=1; while [ $i -le 150 ]; do echo "$ME-out-$i-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"; echo "$ME-err-$i" >&2; i=$((i+1)); done\n';
    const hooks = ['a', 'b'].map((me) => scriptHook('chatty.sh', { name: me, concurrent: true }, { ME: me })).join('\n');
    const repo = await hookRepo(`service_name: ${service}\nhooks:\n  lines:\n${hooks}\n`, { 'scripts/chatty.sh': script });
    const r = await runPorter(repo, ['build', 'hook', '-name', 'lines']);
    assert.equal(r.code, 0, r.stderr);
    const live = r.stdout.slice(0, r.stdout.indexOf('\nSummary:')).split('\n').filter(Boolean);
    const counts: Record<string, number> = {};
    for (const line of live) {
      const m = /^\[lines (a|b)\] (a|b)-(out|err)-(\d+)(-x{44})?$/.exec(line);
      assert.ok(m, `a line was not one hook's whole line: ${JSON.stringify(line)}`);
      assert.equal(m[1], m[2], `hook ${m[2]}'s line carries ${m[1]}'s prefix`);
      const key = `${m[2]}-${m[3]}`;
      counts[key] = (counts[key] ?? 0) + 1;
      assert.equal(Number(m[4]), counts[key], `${key} lines out of order`);
    }
    assert.deepEqual(counts, { 'a-out': 150, 'a-err': 150, 'b-out': 150, 'b-err': 150 });
  });

  test('the summary lists every hook with status and duration, and a failed hook\'s last 20 lines', { timeout: 60_000 }, async () => {
    const repo = await hookRepo(
      `service_name: ${service}\nhooks:\n  summary:\n${scriptHook('noisy.sh', { name: 'noisy' })}\n${scriptHook('ok.sh')}\n${scriptHook('ok.sh', { run_condition: 'always' })}\n`,
      // stdout only: Docker keeps each stream's order, not the order between the two.
      { 'scripts/noisy.sh': 'for i in $(seq 1 24); do echo "line-$i"; done\necho "the reason"\nexit 3\n', 'scripts/ok.sh': 'echo fine\n' },
    );
    const r = await runPorter(repo, ['build', 'hook', '-name', 'summary']);
    assert.equal(r.code, 1, r.stdout);
    const noisy = summaryRow(r.stdout, 'summary noisy');
    assert.equal(noisy?.status, 'failed');
    assert.match(noisy?.rest ?? '', /^\d+\.\ds {2}\(exit 3\)$/);
    assert.equal(summaryRow(r.stdout, 'summary summary[1]')?.status, 'skipped');
    assert.match(summaryRow(r.stdout, 'summary summary[2]')?.rest ?? '', /^\d+\.\ds$/);
    const summary = r.stdout.slice(r.stdout.indexOf('\nSummary:'));
    const tail = summary.split('\n').filter((l) => l.startsWith('      | ')).map((l) => l.slice(8));
    assert.deepEqual(tail, [...Array.from({ length: 19 }, (_, i) => `line-${i + 6}`), 'the reason']);
    assert.match(summary, /1 passed, 1 failed, 1 skipped/);
  });
});
