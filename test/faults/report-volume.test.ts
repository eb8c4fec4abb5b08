/**
 * Faults: `--report` on a big run — 50 concurrent hooks writing 200 MB between them, all running at once, so none
 * can give its kept lines back: the worst case of the report's memory. The page stays bounded (lines capped per
 * run, the rest counted) and porter's own peak memory (VmHWM of the porter process, polled by the test, as in
 * output-volume) stays under the fault suite's 200 MB. (Measured here: 174–188 MB, and 158 MB for the same run
 * without --report.) Dropping finished runs' lines past the budget is unit-tested (test/unit/report.test.ts).
 */
import assert from 'node:assert/strict';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { describeDocker, removeTempDirs, sweep, uniqueRunId } from '../helpers/docker.js';
import { assertExit, assertNothingOfRunLeft, porterTmpDir, sharedEngine, startWatchedPorter } from '../helpers/fault-checks.js';
import { hookRepo, scriptHook } from '../helpers/hook-repo.js';

const service = uniqueRunId();
const HOOKS = 50;
const BYTES_PER_HOOK = 4_000_000;
const MAX_RSS_KB = 200 * 1024;

after(() => removeTempDirs());

await describeDocker('faults: the HTML report of a big run', () => {
  let repo: string;

  before(async () => {
    const hooks = Array.from({ length: HOOKS }, (_, i) => scriptHook('flood.sh', { name: `h${i}`, concurrent: true })).join('\n');
    repo = await hookRepo(`service_name: ${service}\nhooks:\n  big:\n${hooks}\n`, {
      'scripts/flood.sh': `yes "$(printf '%0999d' 0)" | head -c ${BYTES_PER_HOOK}\n`,
    });
  }, { timeout: 30_000 });

  after(() => sweep({ 'porter.service': service }), { timeout: 60_000 });

  test('50 hooks, 200 MB of output: porter stays under 200 MB and the page stays small, saying what it left out', { timeout: 300_000 }, async (t) => {
    const tmp = await porterTmpDir();
    const { child, stderr, closed } = startWatchedPorter(repo, ['--report', 'big.html', 'build', 'hook', '-name', 'big'], { TMPDIR: tmp });
    let tail = '';
    // Read and forgotten: the test must not hold 200 MB itself.
    child.stdout.on('data', (b: Buffer) => void (tail = (tail + b.toString('latin1')).slice(-4000)));
    const { code, peakKb } = await closed;
    assertExit({ code, signal: null, stdout: tail, stderr: stderr() }, 0);
    assert.match(tail, new RegExp(`${HOOKS} passed`));
    t.diagnostic(`porter's peak RSS: ${Math.round(peakKb / 1024)} MB`);
    assert.ok(peakKb > 0, 'VmHWM was read');
    assert.ok(peakKb < MAX_RSS_KB, `porter's peak RSS was ${Math.round(peakKb / 1024)} MB`);

    const page = join(repo, 'big.html');
    const size = (await stat(page)).size;
    assert.ok(size < 12_000_000, `the page is ${size} bytes`);
    const html = await readFile(page, 'utf8');
    assert.equal(html.match(/<g class="bar st-passed"/g)?.length, HOOKS, 'a bar per hook');
    const views = [...html.matchAll(/<script type="application\/json" id="lines-(\d+)">(.*?)<\/script>/g)]
      .map((m) => ({ run: Number(m[1]), ...(JSON.parse(m[2] ?? '{}') as { head: string[]; tail: string[]; omitted: number; dropped: boolean; gap?: string }) }));
    assert.equal(views.length, HOOKS);
    const linesPerHook = BYTES_PER_HOOK / 1000;
    for (const v of views) assert.equal(v.head.length + v.tail.length + v.omitted, linesPerHook, `run ${v.run}: every line kept or counted`);
    assert.deepEqual(views.filter((v) => v.dropped).map((v) => v.run), [], 'within the budget, no run lost its lines');
    assert.ok(views.every((v) => v.omitted > 0 && /lines left out: the report keeps/.test(v.gap ?? '')), 'each run says what it left out');
    assert.ok(views.every((v) => v.tail.at(-1) === `o${'0'.repeat(999)}`), 'each run keeps its last line');
    await assertNothingOfRunLeft({ api: sharedEngine, service, repo, tmp, maxImages: 1 });
  });
});
