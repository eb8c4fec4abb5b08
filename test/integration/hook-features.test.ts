/** Issue 5 on the real engine, through the CLI: outputs, timeouts, retries, secrets and names. */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { describeDocker, removeTempDirs, sweepAfterSuite, uniqueRunId } from '../helpers/docker.js';
import { engineList, labelQuery } from '../helpers/engine-api.js';
import { HOOK, hookRepo, scriptHook } from '../helpers/hook-repo.js';
import { hookLines, runPorter, summaryRow } from '../helpers/porter-cli.js';

const service = uniqueRunId();
const labels = { 'porter.service': service };
const containersOf = (): Promise<unknown[]> => engineList(`/containers/json?all=1&${labelQuery(labels)}`);

after(() => removeTempDirs());

await describeDocker('hook outputs, timeouts, retries, secrets and names', () => {
  sweepAfterSuite(labels);

  test('outputs: KEY=value and heredoc values reach later hooks (a failure cleanup too) and later commands; a bad line is a warning', { timeout: 60_000 }, async () => {
    const produce = [
      'echo "URL=http://example.test/?a=b&c=d" >> "$PORTER_OUTPUT"',
      'printf "NOTES<<END\\nfirst line\\nsecond = line\\nEND\\n" >> "$PORTER_OUTPUT"',
      'echo "STACK_ID=stack-42" >> "$PORTER_OUTPUT"',
      'echo "not a key value line" >> "$PORTER_OUTPUT"',
      '',
    ].join('\n');
    const list = [
      scriptHook('produce.sh', { name: 'create-stack' }),
      scriptHook('consume.sh', { name: 'use' }, { URL: null, NOTES: null, STACK_ID: null, MISSING: null }),
      `  - dockerfile: ${HOOK.exit3}\n    name: breaks`,
      scriptHook('cleanup.sh', { name: 'cleanup', run_condition: 'fail' }, { STACK_ID: null }),
    ].join('\n');
    const repo = await hookRepo(`service_name: ${service}\nhooks:\n  deploy:\n${list}\n  later:\n${scriptHook('cleanup.sh', { name: 'teardown' }, { STACK_ID: null })}\n`, {
      'scripts/produce.sh': produce,
      'scripts/consume.sh': 'echo "url=$URL"\necho "$NOTES" | sed "s/^/notes: /"\necho "stack=$STACK_ID"\necho "missing=${MISSING-unset}"\n',
      'scripts/cleanup.sh': 'echo "deleting $STACK_ID"\n',
    });
    // The host's value loses to an earlier hook's output.
    const r = await runPorter(repo, ['build', 'hook', '-name', 'deploy'], { STACK_ID: 'from-host' });
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.deepEqual(hookLines(r.stdout, 'deploy use'), ['url=http://example.test/?a=b&c=d', 'notes: first line', 'notes: second = line', 'stack=stack-42', 'missing=unset']);
    assert.deepEqual(hookLines(r.stdout, 'deploy cleanup'), ['deleting stack-42']);
    assert.match(r.stdout, /warning: deploy create-stack: PORTER_OUTPUT line 7: expected KEY=value or KEY<<DELIMITER; ignored/);

    const saved = JSON.parse(await readFile(join(repo, '.porter-tmp', 'outputs.json'), 'utf8')) as unknown;
    assert.deepEqual(saved, { '': { URL: 'http://example.test/?a=b&c=d', NOTES: 'first line\nsecond = line', STACK_ID: 'stack-42' } });
    const later = await runPorter(repo, ['build', 'hook', '-name', 'later']);
    assert.equal(later.code, 0, later.stdout);
    assert.deepEqual(hookLines(later.stdout, 'later teardown'), ['deleting stack-42']);
  });

  test('timeout: the container is killed at the deadline, reported timed out, counted as failed; fail and always hooks still run', { timeout: 60_000 }, async () => {
    const list = [
      scriptHook('sleep.sh', { name: 'sleeper', timeout: '1s' }),
      scriptHook('ok.sh', { name: 'on-fail', run_condition: 'fail' }),
      scriptHook('ok.sh', { name: 'on-always', run_condition: 'always' }),
      scriptHook('ok.sh', { name: 'on-pass' }),
    ].join('\n');
    // `sleep & wait` lets the trap run as soon as the deadline's SIGTERM arrives, instead of after the grace period.
    const sleep = 'trap "echo got SIGTERM; exit 143" TERM\necho started\nsleep 30 & wait\necho finished\n';
    const files = { 'scripts/sleep.sh': sleep, 'scripts/ok.sh': 'echo ok\n', 'scripts/short.sh': 'sleep 2\necho slept\n' };
    const repo = await hookRepo(`service_name: ${service}\nhooks:\n  slow:\n${list}\n`, files);
    const r = await runPorter(repo, ['build', 'hook', '-name', 'slow']);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.deepEqual(['sleeper', 'on-fail', 'on-always', 'on-pass'].map((h) => summaryRow(r.stdout, `slow ${h}`)?.status), ['timed-out', 'passed', 'passed', 'skipped']);
    assert.match(r.stdout, /slow sleeper timed out after 1s and was killed\./);
    // What the hook prints while it is being stopped reaches the log: porter stops it while still attached.
    assert.deepEqual(hookLines(r.stdout, 'slow sleeper'), ['started', 'got SIGTERM']);
    assert.deepEqual(await containersOf(), []);

    // hook_timeout is every hook's default; a hook's own timeout wins.
    const defaults = [scriptHook('short.sh', { name: 'own', timeout: '20s' }), scriptHook('sleep.sh', { name: 'defaulted' })].join('\n');
    const repo2 = await hookRepo(`service_name: ${service}\nhook_timeout: 1s\nhooks:\n  slow:\n${defaults}\n`, files);
    const d = await runPorter(repo2, ['build', 'hook', '-name', 'slow']);
    assert.equal(d.code, 1, d.stdout);
    assert.equal(summaryRow(d.stdout, 'slow own')?.status, 'passed');
    assert.equal(summaryRow(d.stdout, 'slow defaulted')?.status, 'timed-out');
    assert.match(d.stdout, /slow defaulted timed out after 1s/);
  });

  test('retries: attempts numbered in PORTER_HOOK_ATTEMPT and the prefix; build failures and timeouts are not retried unless retry_on: [timeout]', { timeout: 90_000 }, async () => {
    const files = { 'scripts/flaky.sh': 'echo "attempt $PORTER_HOOK_ATTEMPT"\n[ "$PORTER_HOOK_ATTEMPT" -ge 3 ]\n', 'scripts/sleep.sh': 'trap "exit 143" TERM\necho "attempt $PORTER_HOOK_ATTEMPT"\nsleep 30 & wait\n' };
    const config = [
      `service_name: ${service}`, 'hooks:',
      '  flaky:', scriptHook('flaky.sh', { name: 'flaky', retries: 2 }),
      '  gives-up:', `  - dockerfile: ${HOOK.exit3}\n    name: exit3\n    retries: 1`,
      '  no-retry-build:', `  - dockerfile: ${HOOK.buildFails}\n    name: broken\n    retries: 2`,
      '  no-retry-timeout:', scriptHook('sleep.sh', { name: 'slow', retries: 2, timeout: '1s' }),
      '  retry-timeout:', scriptHook('sleep.sh', { name: 'slow', retries: 1, timeout: '1s', retry_on: ['timeout'] }),
      '',
    ].join('\n');
    const repo = await hookRepo(config, files);
    const run = (list: string) => runPorter(repo, ['build', 'hook', '-name', list]);

    const flaky = await run('flaky');
    assert.equal(flaky.code, 0, flaky.stdout);
    assert.deepEqual(hookLines(flaky.stdout, 'flaky flaky'), ['attempt 1']);
    assert.deepEqual(hookLines(flaky.stdout, 'flaky flaky #2'), ['retrying (attempt 2)', 'attempt 2']);
    assert.deepEqual(hookLines(flaky.stdout, 'flaky flaky #3'), ['retrying (attempt 3)', 'attempt 3']);
    assert.match(summaryRow(flaky.stdout, 'flaky flaky')?.rest ?? '', /\(3 attempts\)$/);

    const givesUp = await run('gives-up');
    assert.equal(givesUp.code, 1);
    assert.equal(summaryRow(givesUp.stdout, 'gives-up exit3')?.status, 'failed');
    assert.match(summaryRow(givesUp.stdout, 'gives-up exit3')?.rest ?? '', /\(exit 3, 2 attempts\)$/);

    const build = await run('no-retry-build');
    assert.equal(build.code, 1);
    assert.doesNotMatch(build.stdout, /retrying|attempts/);
    assert.match(build.stdout, /failed to build/);

    const timeout = await run('no-retry-timeout');
    assert.equal(timeout.code, 1);
    assert.equal(summaryRow(timeout.stdout, 'no-retry-timeout slow')?.status, 'timed-out');
    assert.doesNotMatch(timeout.stdout, /retrying|attempts/);

    const retried = await run('retry-timeout');
    assert.equal(retried.code, 1);
    assert.deepEqual(hookLines(retried.stdout, 'retry-timeout slow #2'), ['retrying (attempt 2)', 'attempt 2']);
    assert.match(summaryRow(retried.stdout, 'retry-timeout slow')?.rest ?? '', /\(2 attempts\)$/);
    assert.deepEqual(await containersOf(), []);
  });

  test('secrets are masked as *** in live output, the summary\'s tail, --junit and --log-format json, also inside other text', { timeout: 60_000 }, async () => {
    const token = 'tok-3f9a-not-for-logs';
    const hostSecret = 'host-secret-77c1';
    const script = 'echo "token=$API_TOKEN"\necho "url=https://user:${API_TOKEN}@example.test/x"\necho "stderr has $HOST_SECRET" >&2\nexit 4\n';
    const repo = await hookRepo(
      [
        `service_name: ${service}`, 'hooks:', '  secret:',
        scriptHook('leak.sh', { name: 'leaky', secrets: ['API_TOKEN', 'HOST_SECRET'] }, { API_TOKEN: token, HOST_SECRET: null }),
        // This hook does not declare the secret itself: a value declared secret is masked in every hook's lines.
        scriptHook('echo.sh', { name: 'careless', run_condition: 'always' }, { SAME: token }),
        '',
      ].join('\n'),
      { 'scripts/leak.sh': script, 'scripts/echo.sh': 'echo "careless with $SAME"\n' },
    );
    const junit = join(repo, 'reports', 'junit.xml');
    const text = await runPorter(repo, ['build', 'hook', '-name', 'secret', '--junit', junit], { HOST_SECRET: hostSecret });
    assert.equal(text.code, 1, text.stdout + text.stderr);
    const report = await readFile(junit, 'utf8');
    const json = await runPorter(repo, ['--log-format', 'json', 'build', 'hook', '-name', 'secret'], { HOST_SECRET: hostSecret });
    assert.equal(json.code, 1);
    for (const [what, out] of [['text', text.stdout + text.stderr], ['junit', report], ['json', json.stdout + json.stderr]] as const) {
      assert.ok(!out.includes(token) && !out.includes(hostSecret), `a secret appears in the ${what} output:\n${out}`);
      assert.ok(out.includes('token=***') && out.includes('url=https://user:***@example.test/x') && out.includes('stderr has ***'), `masked lines missing from ${what}:\n${out}`);
    }
    assert.match(text.stdout, /\n {6}\| token=\*\*\*\n/, 'the failure tail in the summary');
    assert.deepEqual(hookLines(text.stdout, 'secret careless'), ['careless with ***']);
    const events = json.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; line?: string });
    assert.ok(events.some((e) => e.type === 'hook-log' && e.line === 'token=***'));
  });

  test('name: shown in the prefix and summary; a duplicate within a list is a config error naming both lines', { timeout: 30_000 }, async () => {
    const repo = await hookRepo(`service_name: ${service}\nhooks:\n  named:\n${scriptHook('ok.sh', { name: 'lint' })}\n`, { 'scripts/ok.sh': 'echo linted\n' });
    const r = await runPorter(repo, ['build', 'hook', '-name', 'named']);
    assert.equal(r.code, 0);
    assert.deepEqual(hookLines(r.stdout, 'named lint'), ['linted']);
    assert.equal(summaryRow(r.stdout, 'named lint')?.status, 'passed');

    const dup = await hookRepo(`service_name: ${service}\nhooks:\n  named:\n${scriptHook('ok.sh', { name: 'lint' })}\n${scriptHook('ok.sh', { name: 'lint' })}\n`);
    const e = await runPorter(dup, ['build', 'hook', '-name', 'named']);
    assert.equal(e.code, 2);
    assert.match(e.stderr, /hooks\.named\[1\]\.name: "lint" is already the name of hooks\.named\[0\] \(line 5\); .* \(lines 5 and 9\)/);
  });
});
