import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { toJsonEvent, type JsonEvent } from '../../src/cli/json-events.js';
import { renderReport } from '../../src/cli/report-html.js';
import { HEAD_BYTES, HEAD_LINES, LineBudget, MAX_LINE_CHARS, RunLines, TAIL_BYTES, TAIL_LINES } from '../../src/cli/report-lines.js';
import { createReportModel } from '../../src/cli/report-runs.js';
import { byRegion, renderTimeline } from '../../src/cli/report-timeline.js';
import type { PorterEvent } from '../../src/events.js';

const T0 = Date.parse('2030-01-02T03:04:05.000Z');

/** Events as --log-format json prints them, each `ms` after T0. */
function json(timed: readonly [number, PorterEvent][]): JsonEvent[] {
  return timed.map(([ms, e]) => toJsonEvent(e, new Date(T0 + ms)));
}

const RUN: [number, PorterEvent][] = [
  [0, { type: 'hook-start', list: 'smoke', hook: 'lint', region: 'us', attempt: 1 }],
  [0, { type: 'hook-start', list: 'smoke', hook: 'lint', region: 'eu', attempt: 1 }],
  [300, { type: 'build-end', list: 'smoke', hook: 'lint', ok: true }],
  [400, { type: 'hook-log', list: 'smoke', hook: 'lint', region: 'us', stream: 'stdout', line: 'us line' }],
  [410, { type: 'hook-log', list: 'smoke', hook: 'lint', region: 'eu', stream: 'stderr', line: 'eu </script><b>' }],
  [500, { type: 'hook-end', result: { list: 'smoke', hook: 'lint', region: 'us', status: 'passed', exitCode: 0, tail: [], durationMs: 500, attempts: 1, outputs: { ID: 'abc', TOKEN: '***' } } }],
  [600, { type: 'hook-start', list: 'smoke', hook: 'flaky', region: 'us', attempt: 1 }],
  [700, { type: 'hook-log', list: 'smoke', hook: 'flaky', region: 'us', stream: 'stdout', line: 'try 1' }],
  [900, { type: 'hook-start', list: 'smoke', hook: 'flaky', region: 'us', attempt: 2 }],
  [950, { type: 'hook-log', list: 'smoke', hook: 'flaky', region: 'us', stream: 'stdout', line: 'try 2' }],
  [1200, { type: 'hook-end', result: { list: 'smoke', hook: 'flaky', region: 'us', status: 'failed', exitCode: 4, tail: ['try 2'], durationMs: 600, attempts: 2, stage: 'run' } }],
  [1200, { type: 'hook-end', result: { list: 'smoke', hook: 'later', region: 'us', status: 'skipped', tail: [], durationMs: 0, attempts: 0 } }],
  [1300, { type: 'hook-end', result: { list: 'smoke', hook: 'lint', region: 'eu', status: 'passed', exitCode: 0, tail: [], durationMs: 1300, attempts: 1 } }],
  [1300, { type: 'message', level: 'warn', text: 'a warning' }],
  [1400, { type: 'run-end', exitCode: 1, durationMs: 1400 }],
];

function build(events: JsonEvent[], budget = new LineBudget()) {
  const m = createReportModel(budget);
  events.forEach(m.add);
  return m.model;
}

const count = (text: string, pattern: RegExp): number => text.match(pattern)?.length ?? 0;

describe('run report: the model', () => {
  it('makes a run per hook run and region, one per retry series, and a run for a hook that never started', () => {
    const model = build(json(RUN));
    assert.deepEqual(model.runs.map((r) => `${r.hook}/${r.region}:${r.status}`), ['lint/us:passed', 'lint/eu:passed', 'flaky/us:failed', 'later/us:skipped']);
    const [lintUs, lintEu, flaky, later] = model.runs;
    assert.deepEqual(lintUs?.lines.view().head, ['ous line']);
    assert.deepEqual(lintEu?.lines.view().head, ['eeu </script><b>']);
    assert.deepEqual(lintUs?.outputs, { ID: 'abc', TOKEN: '***' });
    assert.equal(lintUs?.buildEnd, T0 + 300, 'the build ended inside its first attempt');
    assert.deepEqual(flaky?.starts, [T0 + 600, T0 + 900]);
    assert.equal(flaky?.exitCode, 4);
    assert.deepEqual(flaky?.lines.view().head, ['otry 1', 'nattempt 2', 'otry 2']);
    assert.deepEqual(later?.starts, []);
    assert.equal(later?.end, T0 + 1200);
    assert.deepEqual(model.messages.map((m) => m.text), ['a warning']);
  });

  it('puts runs into sections when asked (porter watch: one per event run)', () => {
    const m = createReportModel(new LineBudget(), (e) => (typeof e.region === 'string' ? `event ${e.region}` : undefined));
    json(RUN).forEach(m.add);
    assert.deepEqual([...new Set(m.model.runs.map((r) => r.section))], ['event us', 'event eu']);
    const page = [...renderReport(m.model, { command: 'porter watch', exitCode: 0 }, T0 + 2000)].join('');
    assert.equal(count(page, /<h2 class="section">/g), 2);
    assert.equal(count(page, /<svg class="timeline"/g), 2);
  });

  it('groups rows by region in order of first appearance, each in start order', () => {
    const groups = byRegion(build(json(RUN)).runs);
    assert.deepEqual(groups.map((g) => [g.region, g.runs.map((r) => r.hook)]), [['us', ['lint', 'flaky', 'later']], ['eu', ['lint']]]);
  });
});

describe('run report: bounded output lines', () => {
  it('keeps the first and the last lines of a run and counts the rest', () => {
    const lines = new RunLines(new LineBudget());
    for (let i = 0; i < 10_000; i++) lines.push(`line ${i}`, i % 2 === 1);
    const view = lines.view();
    assert.equal(view.head.length, HEAD_LINES);
    assert.ok(view.tail.length >= TAIL_LINES / 2 && view.tail.length <= TAIL_LINES, `${view.tail.length} last lines`);
    assert.equal(view.head.length + view.tail.length + view.omitted, 10_000);
    assert.equal(view.head[0], 'oline 0');
    assert.equal(view.head[1], 'eline 1');
    assert.deepEqual(view.tail, Array.from({ length: view.tail.length }, (_, k) => {
      const i = 10_000 - view.tail.length + k;
      return `${i % 2 ? 'e' : 'o'}line ${i}`;
    }), 'the last lines, in order');
  });

  it('keeps fewer lines when they are long, and any text: its memory is bounded in bytes too', () => {
    const lines = new RunLines(new LineBudget());
    for (let i = 0; i < 1000; i++) lines.push(`${String(i).padStart(4, '0')}${'é'.repeat(996)}`, false);
    const view = lines.view();
    const bytes = 1 + 4 + 2 * 996;
    assert.equal(view.head.length, Math.floor(HEAD_BYTES / bytes));
    assert.ok(view.tail.length >= Math.floor(TAIL_BYTES / 2 / bytes) && view.tail.length <= Math.floor(TAIL_BYTES / bytes), `${view.tail.length}`);
    assert.equal(view.head.length + view.tail.length + view.omitted, 1000);
    assert.equal(view.tail.at(-1), `o0999${'é'.repeat(996)}`);
  });

  it('cuts an over-long line and says how much was cut', () => {
    const lines = new RunLines(new LineBudget());
    lines.push('x'.repeat(MAX_LINE_CHARS + 500), false);
    const [kept] = lines.view().head;
    assert.equal(kept, `o${'x'.repeat(MAX_LINE_CHARS)} … (500 more characters)`);
  });

  it('drops the lines of finished runs past the budget, passed runs first, never a running one', () => {
    const budget = new LineBudget(3_000);
    const make = (n: number): RunLines => {
      const l = new RunLines(budget);
      for (let i = 0; i < n; i++) l.push('y'.repeat(99), false);
      return l;
    };
    const failed = make(10);
    failed.finish(false);
    const passed = make(10);
    passed.finish(true);
    const running = make(15);
    assert.equal(passed.view().dropped, true, 'the passed run went first');
    assert.equal(failed.view().dropped, false);
    assert.ok(budget.usedBytes <= 3_000, `used ${budget.usedBytes}`);
    const more = make(10);
    more.push('z', false);
    assert.equal(failed.view().dropped, true, 'then the failed one');
    assert.equal(running.view().dropped, false);
    assert.equal(more.view().dropped, false);
    assert.equal(passed.view().omitted, 10);
    passed.push('after', false);
    assert.equal(passed.view().omitted, 11);
  });
});

describe('run report: the page', () => {
  const model = build(json(RUN));
  const page = [...renderReport(model, { command: 'porter build hook -name smoke -e Stage', exitCode: 1, durationMs: 1400 }, T0 + 1400)].join('');

  it('is one self-contained file: inline style and script, a policy that forbids fetching anything', () => {
    assert.match(page, /^<!DOCTYPE html>/);
    assert.match(page, /Content-Security-Policy" content="default-src 'none'/);
    assert.equal(count(page, /\bsrc=|<link|@import|url\(/g), 0, 'nothing loaded from anywhere');
    assert.match(page, /<span class="badge b-failed">exit 1<\/span>/);
  });

  it('draws a bar per run and a segment per attempt, and the run still going ends at the page time', () => {
    assert.equal(count(page, /<g class="bar /g), model.runs.length);
    const flaky = /<g class="bar st-failed" data-run="2">.*?<\/g>/.exec(page)?.[0] ?? '';
    assert.equal(count(flaky, /class="seg /g), 2);
    assert.equal(count(flaky, /retried/g), 1);
    const svg = renderTimeline([{ ...model.runs[0]!, end: undefined, status: 'running' }], [], T0 + 1000);
    assert.match(svg, /st-running/);
  });

  it('opens failed runs first and escapes every text: no output line can end the script it waits in', () => {
    const order = [...page.matchAll(/<details class="run st-([a-z-]+)" id="run-(\d+)"[^>]*?( open)?>/g)].map((m) => `${m[2]}:${m[1]}${m[3] ?? ''}`);
    assert.deepEqual(order, ['2:failed open', '0:passed', '3:skipped', '1:passed']);
    assert.equal(count(page, /<\/script><b>/g), 0);
    assert.match(page, /eu \\u003c\/script>\\u003cb>/);
  });

  it('shows warnings and outputs (masked as they came)', () => {
    assert.match(page, /<ul class="warnings"><li>a warning<\/li>/);
    assert.match(page, /<td class="mono">TOKEN<\/td><td class="mono">\*\*\*<\/td>/);
  });
});
