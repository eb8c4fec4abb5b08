/** `porter build hook` on the real engine: run conditions and status, concurrency groups, regions. */
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { describeDocker, removeTempDirs, sweepAfterSuite, uniqueRunId } from '../helpers/docker.js';
import { HOOK, hookRepo, readRepoFile, scriptHook } from '../helpers/hook-repo.js';
import { hookLines, runPorter, summaryRow } from '../helpers/porter-cli.js';

const service = uniqueRunId();
const labels = { 'porter.service': service };

/**
 * Records, under /repo_root/marks, which markers existed when hook $ME started (`$ME.at-start`) and
 * when it ended (`$ME.at-end`); it waits up to 5 s for each hook named in $SEE to start (overlap) and
 * holds for $HOLD seconds before it ends.
 */
const ORDER_SH = `m=/repo_root/marks; mkdir -p $m
ls $m | tr '\\n' ' ' > $m/$ME.at-start-list
touch $m/$ME.started
for other in $SEE; do i=0; while [ ! -e $m/$other.started ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done; done
sleep \${HOLD:-0}
ls $m | tr '\\n' ' ' > $m/$ME.at-end-list
touch $m/$ME.ended
echo "$ME done"
`;

/** The markers hook `me` saw at its start or end, e.g. ['1.ended', '1.started']. */
async function saw(repo: string, me: string, when: 'start' | 'end'): Promise<string[]> {
  const text = (await readRepoFile(repo, `marks/${me}.at-${when}-list`)) ?? '';
  return text.split(' ').filter((m) => /\.(started|ended)$/.test(m));
}

const orderHook = (me: string, fields: Record<string, string | boolean> = {}, env: Record<string, string> = {}): string =>
  scriptHook('order.sh', { name: `h${me}`, ...fields }, { ME: me, ...env });

after(() => removeTempDirs());

await describeDocker('porter build hook: run conditions, concurrency, regions', () => {
  sweepAfterSuite(labels);

  test('a failure turns the status failed: later pass hooks are skipped, fail and always hooks run; exit 1', { timeout: 60_000 }, async () => {
    const list = [
      `  - dockerfile: ${HOOK.exit3}\n    name: breaks`,
      scriptHook('mark.sh', { name: 'after-pass' }, { ME: 'after-pass' }),
      scriptHook('mark.sh', { name: 'on-fail', run_condition: 'fail' }, { ME: 'on-fail' }),
      scriptHook('mark.sh', { name: 'on-always', run_condition: 'always' }, { ME: 'on-always' }),
    ].join('\n');
    const passing = [
      scriptHook('mark.sh', { name: 'first' }, { ME: 'first' }),
      scriptHook('mark.sh', { name: 'not-failed', run_condition: 'fail' }, { ME: 'not-failed' }),
      scriptHook('mark.sh', { name: 'every-time', run_condition: 'always' }, { ME: 'every-time' }),
    ].join('\n');
    const repo = await hookRepo(`service_name: ${service}\nhooks:\n  broken:\n${list}\n  fine:\n${passing}\n`, {
      'scripts/mark.sh': 'mkdir -p /repo_root/marks && touch /repo_root/marks/$ME\n',
    });
    const broken = await runPorter(repo, ['build', 'hook', '-name', 'broken']);
    assert.equal(broken.code, 1, broken.stdout);
    assert.deepEqual(hookLines(broken.stdout, 'broken breaks').sort(), ['about to fail', 'failing on stderr']);
    assert.deepEqual(['breaks', 'after-pass', 'on-fail', 'on-always'].map((h) => summaryRow(broken.stdout, `broken ${h}`)?.status), ['failed', 'skipped', 'passed', 'passed']);
    assert.deepEqual((await readdir(join(repo, 'marks'))).sort(), ['on-always', 'on-fail']);

    const fine = await runPorter(repo, ['build', 'hook', '-name', 'fine']);
    assert.equal(fine.code, 0, fine.stdout);
    assert.deepEqual(['first', 'not-failed', 'every-time'].map((h) => summaryRow(fine.stdout, `fine ${h}`)?.status), ['passed', 'skipped', 'passed']);
  });

  test('[1, 2 concurrent, 3] runs all serially; [1, 2 concurrent, 3 concurrent, 4] runs 2 and 3 together', { timeout: 90_000 }, async () => {
    const serial = [orderHook('1', {}, { HOLD: '0.5' }), orderHook('2', { concurrent: true }, { HOLD: '0.5' }), orderHook('3')].join('\n');
    const grouped = [orderHook('1', {}, { HOLD: '0.5' }), orderHook('2', { concurrent: true }, { SEE: '3' }), orderHook('3', { concurrent: true }, { SEE: '2' }), orderHook('4')].join('\n');
    const serialRepo = await hookRepo(`service_name: ${service}\nhooks:\n  serial:\n${serial}\n`, { 'scripts/order.sh': ORDER_SH });
    const groupRepo = await hookRepo(`service_name: ${service}\nhooks:\n  grouped:\n${grouped}\n`, { 'scripts/order.sh': ORDER_SH });

    const s = await runPorter(serialRepo, ['build', 'hook', '-name', 'serial']);
    assert.equal(s.code, 0, s.stdout);
    assert.deepEqual(await saw(serialRepo, '2', 'start'), ['1.ended', '1.started'], 'a lone concurrent hook waits for hook 1');
    assert.deepEqual(await saw(serialRepo, '2', 'end'), ['1.ended', '1.started', '2.started'], 'hook 3 must not start while 2 runs');
    assert.deepEqual(await saw(serialRepo, '3', 'start'), ['1.ended', '1.started', '2.ended', '2.started']);

    const g = await runPorter(groupRepo, ['build', 'hook', '-name', 'grouped']);
    assert.equal(g.code, 0, g.stdout);
    for (const [me, other] of [['2', '3'], ['3', '2']] as const) {
      assert.ok((await saw(groupRepo, me, 'start')).includes('1.ended'), `hook ${me} started before hook 1 ended`);
      assert.ok((await saw(groupRepo, me, 'end')).includes(`${other}.started`), `hooks 2 and 3 did not overlap`);
    }
    const fourth = await saw(groupRepo, '4', 'start');
    assert.ok(fourth.includes('2.ended') && fourth.includes('3.ended'), `hook 4 started before the group ended: ${fourth.join(' ')}`);
  });

  test('when a group member fails its sibling runs to its end; the status turns failed after the group', { timeout: 60_000 }, async () => {
    const list = [
      `  - dockerfile: ${HOOK.exit3}\n    name: quick-fail\n    concurrent: true`,
      scriptHook('order.sh', { name: 'slow-sibling', concurrent: true }, { ME: 'sibling', HOLD: '1' }),
      scriptHook('order.sh', { name: 'in-group-on-fail', concurrent: true, run_condition: 'fail' }, { ME: 'in-group' }),
      scriptHook('order.sh', { name: 'cleanup', run_condition: 'fail' }, { ME: 'cleanup' }),
    ].join('\n');
    const repo = await hookRepo(`service_name: ${service}\nhooks:\n  group:\n${list}\n`, { 'scripts/order.sh': ORDER_SH });
    const r = await runPorter(repo, ['build', 'hook', '-name', 'group']);
    assert.equal(r.code, 1, r.stdout);
    assert.deepEqual(['quick-fail', 'slow-sibling', 'in-group-on-fail', 'cleanup'].map((h) => summaryRow(r.stdout, `group ${h}`)?.status), ['failed', 'passed', 'skipped', 'passed']);
    assert.deepEqual(hookLines(r.stdout, 'group slow-sibling'), ['sibling done']);
    assert.ok((await saw(repo, 'cleanup', 'start')).includes('sibling.ended'), 'the cleanup hook started before the sibling ended');
  });

  test('-e ENV runs the list once per region, concurrently, each with its own variables and status', { timeout: 60_000 }, async () => {
    const script = `echo "env=$PORTER_ENVIRONMENT region=$PORTER_REGION"
m=/repo_root/marks; mkdir -p $m; touch $m/$PORTER_REGION.started
for r in east west; do i=0; while [ ! -e $m/$r.started ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done; done
ls $m | tr '\\n' ' ' > $m/$PORTER_REGION.saw
[ "$PORTER_REGION" != west ]
`;
    const environments = 'environments:\n- name: Stage\n  regions:\n  - name: east\n  - name: west\n';
    const list = [scriptHook('regions.sh', { name: 'check' }), scriptHook('after.sh', { name: 'next' }), scriptHook('after.sh', { name: 'cleanup', run_condition: 'fail' })].join('\n');
    const repo = await hookRepo(`service_name: ${service}\nhooks:\n  regional:\n${list}\n${environments}`, {
      'scripts/regions.sh': script, 'scripts/after.sh': 'echo "after in $PORTER_REGION"\n',
    });
    const r = await runPorter(repo, ['build', 'hook', '-name', 'regional', '-e', 'Stage']);
    assert.equal(r.code, 1, r.stdout);
    assert.deepEqual(hookLines(r.stdout, 'regional check east'), ['env=Stage region=east']);
    assert.deepEqual(hookLines(r.stdout, 'regional check west'), ['env=Stage region=west']);
    for (const region of ['east', 'west']) {
      const seen = ((await readRepoFile(repo, `marks/${region}.saw`)) ?? '').split(' ');
      assert.ok(seen.includes('east.started') && seen.includes('west.started'), `the regions did not overlap (${region} saw ${seen.join(' ')})`);
    }
    const rows = ['check (east)', 'check (west)', 'next (east)', 'next (west)', 'cleanup (east)', 'cleanup (west)'].map((h) => summaryRow(r.stdout, `regional ${h}`)?.status);
    assert.deepEqual(rows, ['passed', 'failed', 'passed', 'skipped', 'skipped', 'passed']);
    assert.deepEqual(hookLines(r.stdout, 'regional cleanup west'), ['after in west']);
  });
});
