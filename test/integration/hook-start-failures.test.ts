/**
 * Hooks whose container cannot start (a typo in CMD, no run bit, a CRLF #! line, an unknown USER, a data-only
 * image, a text file run as a program) are the hook's failure: status failed, the shell's exit code where one
 * fits, a message saying what to fix, later always hooks run, exit 1 — through every way a hook runs, and never
 * an "internal error" or a stack trace in any output format.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { XMLParser } from 'fast-xml-parser';
import { describeDocker, removeTempDirs, sweepAfterSuite, tempDir, uniqueRunId } from '../helpers/docker.js';
import { jsonEvents } from '../helpers/fault-checks.js';
import { createPluginRemote } from '../helpers/git-remote.js';
import { CANNOT_START, hookFixture, hookRepo } from '../helpers/hook-repo.js';
import { failureText, runPorter, summaryRow, type PorterExit } from '../helpers/porter-cli.js';

const service = uniqueRunId();
const labels = { 'porter.service': service };
const CLEANUP_OK = '  - dockerfile: .porter/hooks/own-context/Dockerfile\n    name: cleanup\n    run_condition: always\n';

/** A list of one always hook per failing fixture (so each runs after the first failed; with `fields`), then an always hook that passes. */
function failingList(fields = ''): string {
  return CANNOT_START.map((c) => `  - dockerfile: ${hookFixture(c.fixture)}\n    name: ${c.fixture}\n    run_condition: always\n${fields}`).join('') + CLEANUP_OK;
}

type Json = Record<string, unknown>;
const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', textNodeName: 'text', isArray: (n) => n === 'testsuite' || n === 'testcase' });

/** Every failing fixture's summary row: failed, its exit code, the advice; the always hook ran and passed. */
function assertTextSummary(r: PorterExit, list: string, region = ''): void {
  const suffix = region ? ` (${region})` : '';
  for (const c of CANNOT_START) {
    const row = summaryRow(r.stdout, `${list} ${c.fixture}${suffix}`);
    assert.equal(row?.status, 'failed', `${c.fixture}${suffix}\n${r.stdout}`);
    if (c.exitCode !== undefined) assert.match(row?.rest ?? '', new RegExp(`\\(exit ${c.exitCode}\\b`), c.fixture);
    assert.match(failureText(r.stdout, `${c.fixture}${suffix}`), c.says);
  }
  assert.equal(summaryRow(r.stdout, `${list} cleanup${suffix}`)?.status, 'passed', r.stdout);
}

after(() => removeTempDirs());

await describeDocker('hooks that cannot start', () => {
  sweepAfterSuite(labels);

  test('in a plain list and in a concurrent group: each failed with its advice, the always hook runs, exit 1', { timeout: 180_000 }, async () => {
    const repo = await hookRepo(`service_name: ${service}\nhooks:\n  plain:\n${failingList()}  group:\n${failingList('    concurrent: true\n')}`);
    for (const list of ['plain', 'group']) {
      const r = await runPorter(repo, ['build', 'hook', '-name', list]);
      assert.equal(r.code, 1, `${list}\n${r.stdout}\n${r.stderr}`);
      assertTextSummary(r, list);
    }
  });

  test('--log-format json and --junit carry the same failures: hook-end events with stage start, JUnit failures with the advice', { timeout: 120_000 }, async () => {
    const repo = await hookRepo(`service_name: ${service}\nhooks:\n  plain:\n${failingList()}`);
    const r = await runPorter(repo, ['--log-format', 'json', '--junit', 'junit.xml', 'build', 'hook', '-name', 'plain']);
    assert.equal(r.code, 1, r.stderr);
    const ends = jsonEvents(r.stdout).filter((e) => e.type === 'hook-end');
    for (const c of CANNOT_START) {
      const end = ends.find((e) => e.hook === c.fixture);
      assert.equal(end?.status, 'failed', JSON.stringify(end));
      assert.equal(end?.stage, 'start', JSON.stringify(end));
      assert.equal(end?.exitCode, c.exitCode, JSON.stringify(end));
      assert.match(String(end?.message), c.says);
    }
    assert.equal(ends.find((e) => e.hook === 'cleanup')?.status, 'passed');
    const run = jsonEvents(r.stdout).find((e) => e.type === 'run-end');
    assert.equal(run?.exitCode, 1);
    const suites = (xml.parse(await readFile(join(repo, 'junit.xml'), 'utf8')) as { testsuites: { testsuite: { testcase: Json[] }[] } }).testsuites.testsuite;
    const cases = suites.flatMap((s) => s.testcase);
    for (const c of CANNOT_START) {
      const failure = cases.find((k) => String(k.name).endsWith(c.fixture))?.failure as Json | undefined;
      assert.match(String(failure?.message), c.says, `junit ${c.fixture}`);
    }
  });

  test('in every region of an environment: each region reports the failure and runs its always hook', { timeout: 120_000 }, async () => {
    const bad = CANNOT_START.slice(0, 2);
    const list = bad.map((c) => `  - dockerfile: ${hookFixture(c.fixture)}\n    name: ${c.fixture}\n    run_condition: always\n`).join('') + CLEANUP_OK;
    const repo = await hookRepo(`service_name: ${service}\nhooks:\n  fanout:\n${list}environments:\n- name: Stage\n  regions:\n  - name: east\n  - name: west\n`);
    const r = await runPorter(repo, ['build', 'hook', '-name', 'fanout', '-e', 'Stage']);
    assert.equal(r.code, 1, r.stdout);
    for (const region of ['east', 'west']) {
      for (const c of bad) assert.match(failureText(r.stdout, `${c.fixture} (${region})`), c.says);
      assert.equal(summaryRow(r.stdout, `fanout cleanup (${region})`)?.status, 'passed', r.stdout);
    }
  });

  test('retries: a start failure is one attempt, retried only when retry_on names start', { timeout: 120_000 }, async () => {
    const hook = (name: string, extra: string): string => `  - dockerfile: ${hookFixture('cmd-missing')}\n    name: ${name}\n    retries: 2\n${extra}`;
    const repo = await hookRepo(`service_name: ${service}\nhooks:\n  once:\n${hook('typo', '')}  again:\n${hook('typo', '    retry_on: [start]\n')}`);
    const once = await runPorter(repo, ['build', 'hook', '-name', 'once']);
    assert.equal(once.code, 1, once.stdout);
    assert.match(summaryRow(once.stdout, 'once typo')?.rest ?? '', /\(exit 127\)/);
    const again = await runPorter(repo, ['--log-format', 'json', 'build', 'hook', '-name', 'again']);
    assert.equal(again.code, 1, again.stdout);
    const starts = jsonEvents(again.stdout).filter((e) => e.type === 'hook-start');
    assert.deepEqual(starts.map((e) => e.attempt), [1, 2, 3]);
    const end = jsonEvents(again.stdout).find((e) => e.type === 'hook-end');
    assert.equal(end?.attempts, 3);
    assert.equal(end?.exitCode, 127);
  });

  test('a plugin hook without its run bit, and a pre_pack hook that cannot start: failed, the phase body does not run', { timeout: 120_000 }, async () => {
    const root = await tempDir('porter-start-plugin-test-');
    // `run` (no .sh) is committed with mode 0644, as a script whose chmod was forgotten.
    const plugin = await createPluginRemote(root, 'tools', { Dockerfile: 'FROM busybox\nCOPY run /run\nCMD ["/run"]\n', run: '#!/bin/sh\necho never\n' });
    const hooks = `  pre_pack:\n  - repo: file://${plugin.bare}\n    ref: ${plugin.firstCommit}\n    name: tool\n${CLEANUP_OK}  post_pack:\n${CLEANUP_OK}`;
    const repo = await hookRepo(`service_name: ${service}\nhooks:\n${hooks}`, { Dockerfile: 'FROM busybox\nCMD ["true"]\n' });
    const r = await runPorter(repo, ['build', 'pack'], { XDG_CACHE_HOME: join(root, 'cache') });
    assert.equal(r.code, 1, `${r.stdout}\n${r.stderr}`);
    assert.match(failureText(r.stdout, 'tool'), /\/run is not executable \(mode 0644\): it has no run bit/);
    assert.match(summaryRow(r.stdout, 'pre_pack tool')?.rest ?? '', /\(exit 126\)/);
    assert.equal(summaryRow(r.stdout, 'pre_pack cleanup')?.status, 'passed', r.stdout);
    // The boundary rule: a failed pre_ list means no body and no post_ list.
    assert.equal(summaryRow(r.stdout, 'post_pack cleanup'), undefined, r.stdout);
  });
});
