/** `--report FILE.html` on the real engine, opened in a real browser: what it shows agrees with --log-format json. */
import assert from 'node:assert/strict';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { artifactsDir, openChromium } from '../helpers/browser.js';
import { describeDocker, removeTempDirs, sweepAfterSuite, uniqueRunId } from '../helpers/docker.js';
import { assertExit, exitWithin, jsonEvents } from '../helpers/fault-checks.js';
import { HOOK, hookRepo } from '../helpers/hook-repo.js';
import { runPorter, startPorter } from '../helpers/porter-cli.js';

const service = uniqueRunId();

after(() => removeTempDirs());

const hook = (name: string, script: string, extra = ''): string =>
  `  - name: ${name}\n    dockerfile: ${HOOK.runScript}\n${extra}    environment:\n      HOOK_SCRIPT: scripts/${script}\n`;

const CONFIG = `service_name: ${service}
hooks:
  smoke:
  - name: lint
    dockerfile: ${HOOK.runScript}
    secrets: [TOKEN]
    environment: {HOOK_SCRIPT: scripts/lint.sh, TOKEN: tok-3e8a91}
${hook('unit', 'sleep.sh', '    concurrent: true\n')}${hook('e2e', 'sleep.sh', '    concurrent: true\n')}${hook('flaky', 'flaky.sh', '    retries: 1\n')}${hook('later', 'sleep.sh')}${hook('cleanup', 'sleep.sh', '    run_condition: always\n')}  slow:
${hook('sleeper', 'slow.sh')}
environments:
- name: Stage
  regions:
  - name: us
  - name: eu
`;

const FILES = {
  'scripts/lint.sh': 'echo "lint with $TOKEN"\necho "ID=id-$PORTER_REGION" >> "$PORTER_OUTPUT"\necho "TOKEN_SEEN=$TOKEN" >> "$PORTER_OUTPUT"\necho to-stderr >&2\n',
  'scripts/sleep.sh': 'sleep 1\necho slept\n',
  // Fails in eu only, after more lines than the report keeps; HTML in its output must stay text.
  'scripts/flaky.sh': 'i=0\nwhile [ $i -lt 1200 ]; do echo "line $i <b>bold</b></script>"; i=$((i+1)); done\n[ "$PORTER_REGION" = us ] || exit 4\n',
  'scripts/slow.sh': 'echo started\nsleep 30\necho never\n',
};

type Json = Record<string, unknown> & { type: string };

await describeDocker('--report FILE.html', () => {
  let repo: string;
  let events: Json[];
  let flakyOmitted = 0;
  const page = (): string => join(repo, 'reports', 'run.html');

  before(async () => {
    repo = await hookRepo(CONFIG, FILES);
  }, { timeout: 30_000 });
  sweepAfterSuite({ 'porter.service': service });

  test('a failed two-region run: the page shows every hook run the JSON events show, with the same statuses and exit code', { timeout: 240_000 }, async () => {
    const r = await runPorter(repo, ['--log-format', 'json', '--report', 'reports/run.html', 'build', 'hook', '-name', 'smoke', '-e', 'Stage']);
    assertExit(r, 1);
    events = jsonEvents(r.stdout);
    const html = await readFile(page(), 'utf8');
    const ends = events.filter((e) => e.type === 'hook-end');
    assert.equal(ends.length, 12);
    const bars = [...html.matchAll(/<g class="bar st-([a-z-]+)" data-run="(\d+)"><title>([^<]*)<\/title>/g)];
    assert.equal(bars.length, ends.length, 'one bar per hook run');
    const shown = bars.map((b) => `${(b[3] ?? '').split(':')[0]} ${b[1]}`).sort();
    const expected = ends.map((e) => `${String(e.list)} ${String(e.hook)} (${String(e.region)}) ${String(e.status)}`).sort();
    assert.deepEqual(shown, expected);
    const runEnd = events.at(-1);
    assert.equal(runEnd?.type, 'run-end');
    assert.match(html, new RegExp(`<span class="badge b-failed">exit ${String(runEnd?.exitCode)}</span>`));
    assert.ok(html.includes('<td class="mono">ID</td><td class="mono">id-eu</td>'), 'an output');
    assert.ok(html.includes('<td class="mono">TOKEN_SEEN</td><td class="mono">***</td>'), 'an output holding a secret, masked');
    assert.ok(!html.includes('tok-3e8a91'), 'the secret is nowhere');
    // flaky (eu) ran twice: 2 × 1200 lines and a note between them, its first and last lines kept, the rest counted.
    const flakyEu = bars.find((b) => (b[3] ?? '').startsWith('smoke flaky (eu)'))?.[2];
    const lines = JSON.parse(new RegExp(`<script type="application/json" id="lines-${flakyEu}">(.*?)</script>`).exec(html)?.[1] ?? '{}') as { head: string[]; tail: string[]; omitted: number };
    assert.equal(lines.head.length + lines.tail.length + lines.omitted, 2401);
    assert.deepEqual([lines.head[0], lines.tail.at(-1)], ['oline 0 <b>bold</b></script>', 'oline 1199 <b>bold</b></script>']);
    flakyOmitted = lines.omitted;
  });

  test('in chromium: no console error, nothing fetched, a bar per hook run, failed runs open first, the filter and the bar links work', { timeout: 120_000 }, async (t) => {
    const browser = await openChromium(t);
    if (!browser) return;
    try {
      const tab = await browser.newPage();
      const problems: string[] = [];
      const requests: string[] = [];
      tab.on('console', (m) => void (m.type() === 'error' || m.type() === 'warning' ? problems.push(`${m.type()}: ${m.text()}`) : undefined));
      tab.on('pageerror', (err) => void problems.push(`page error: ${err.message}`));
      tab.on('request', (req) => void requests.push(req.url()));
      const url = `file://${page()}`;
      await tab.goto(url);
      await tab.screenshot({ path: join(artifactsDir, 'report.png'), fullPage: true });
      const hookEnds = events.filter((e) => e.type === 'hook-end').length;
      assert.equal(await tab.locator('svg.timeline .bar').count(), hookEnds);
      assert.equal(await tab.locator('details.run').count(), hookEnds);
      // flaky (eu) failed: first, open, its lines filled in, HTML in them shown as text.
      const first = tab.locator('details.run').first();
      assert.equal(await first.getAttribute('open'), '');
      assert.match(await first.locator('summary').innerText(), /failed\s+smoke flaky \(eu\)/);
      const lines = await first.locator('pre.lines').innerText();
      assert.match(lines, /line 0 <b>bold<\/b><\/script>/);
      assert.ok(lines.includes(`… ${flakyOmitted} lines left out`), 'the note where lines were left out');
      assert.equal(await tab.locator('pre.lines b').count(), 0, 'no markup from a hook\'s output');
      assert.equal(await tab.locator('details.run[open]').count(), 1, 'only the failed run is open');

      await tab.fill('#filter', 'eu failed');
      assert.equal(await tab.locator('details.run:not(.hidden)').count(), 1);
      assert.equal(await tab.locator('svg.timeline .bar:not(.hidden)').count(), 1);
      assert.equal(await tab.locator('#filter-count').innerText(), `1 of ${hookEnds} runs`);
      await tab.fill('#filter', 'lint');
      assert.equal(await tab.locator('details.run:not(.hidden)').count(), 2);
      await tab.screenshot({ path: join(artifactsDir, 'report-filtered.png') });
      await tab.fill('#filter', '');
      assert.equal(await tab.locator('details.run:not(.hidden)').count(), hookEnds);

      // A bar is a link to its run's details, which it opens.
      const lintUs = tab.locator('svg.timeline a', { hasText: 'smoke lint' }).first();
      const target = ((await lintUs.getAttribute('href')) ?? '').slice(1);
      await lintUs.click();
      await tab.waitForFunction((id) => (document.getElementById(id) as HTMLDetailsElement | null)?.open === true, target);
      assert.match(await tab.locator(`#${target} pre.lines`).innerText(), /lint with \*\*\*/);

      assert.deepEqual(problems, []);
      assert.deepEqual([...new Set(requests)], [url], 'the page fetched nothing but itself');
    } finally {
      await browser.close();
    }
    assert.ok((await stat(join(artifactsDir, 'report.png'))).size > 10_000, 'a screenshot was kept');
  });

  test('Ctrl-C: the page is written, with exit 130 and the interrupted hook cancelled', { timeout: 120_000 }, async () => {
    const p = startPorter(repo, ['--report', 'reports/stopped.html', 'build', 'hook', '-name', 'slow']);
    await p.waitFor(/\[slow sleeper\] started/, 90_000);
    const running = await readFile(join(repo, 'reports', 'stopped.html'), 'utf8');
    assert.match(running, /porter had not finished when this page was written/, 'a page is there from the start');
    p.child.kill('SIGINT');
    const r = await exitWithin(p, 20_000);
    assertExit(r, 130);
    const html = await readFile(join(repo, 'reports', 'stopped.html'), 'utf8');
    assert.match(html, /<span class="badge b-failed">exit 130<\/span>/);
    assert.match(html, /<details class="run st-cancelled" id="run-0" data-run="0" data-text="[^"]*" open>/);
    assert.match(html, /<div class="errors"><pre>exit 130: /);
    assert.match(html, /"ostarted"/);
  });

  test('an invalid config is in the page; a path porter cannot write is exit 2 before anything runs', { timeout: 120_000 }, async () => {
    const bad = await runPorter(repo, ['--report', 'reports/bad.html', '--config', 'scripts/lint.sh', 'build', 'hook', '-name', 'smoke']);
    assertExit(bad, 2);
    const html = await readFile(join(repo, 'reports', 'bad.html'), 'utf8');
    assert.match(html, /<div class="errors"><pre>exit 2: /);
    assert.match(html, /No hook ran\./);

    const unwritable = await runPorter(repo, ['--report', 'scripts/lint.sh/run.html', 'build', 'hook', '-name', 'smoke']);
    assertExit(unwritable, 2, /--report scripts\/lint\.sh\/run\.html: cannot write the HTML report to .*\((EEXIST|ENOTDIR)\)/);
    assert.doesNotMatch(unwritable.stdout, /\[smoke /, 'no hook ran');
  });
});
