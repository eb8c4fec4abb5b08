import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { eventRunSections } from '../../src/cli/event-run-sections.js';
import { toJsonEvent } from '../../src/cli/json-events.js';
import { renderJUnit } from '../../src/cli/junit.js';
import { createTextRenderer } from '../../src/cli/render-text.js';
import { LineBudget } from '../../src/cli/report-lines.js';
import { createReportModel } from '../../src/cli/report-runs.js';
import type { HookResult, PorterEvent, WatchedEvent } from '../../src/events.js';

const event: WatchedEvent = { environment: 'Stage', region: 'local', kind: 'die', container: 'hello-s1-local-web', stack: 's1', exitCode: 137, time: '2023-11-14T22:13:20.123456789Z' };
const result = (run: string, status: HookResult['status']): HookResult => ({ list: 'on-crash', hook: 'notify', region: 'local', run, status, tail: status === 'failed' ? ['boom'] : [], durationMs: 900, attempts: 1, exitCode: status === 'failed' ? 1 : 0 });

/** Two runs of one list for two events, their lines interleaved as concurrent runs' are. */
const WATCH: PorterEvent[] = [
  { type: 'stack-event', event, runs: [{ run: 'e1', list: 'on-crash' }] },
  { type: 'stack-event', event: { ...event, container: 'hello-s1-local-worker' }, runs: [{ run: 'e2', list: 'on-crash' }] },
  { type: 'hook-start', list: 'on-crash', hook: 'notify', region: 'local', run: 'e1', attempt: 1 },
  { type: 'hook-start', list: 'on-crash', hook: 'notify', region: 'local', run: 'e2', attempt: 1 },
  { type: 'hook-log', list: 'on-crash', hook: 'notify', region: 'local', run: 'e1', stream: 'stdout', line: 'one' },
  { type: 'hook-log', list: 'on-crash', hook: 'notify', region: 'local', run: 'e2', stream: 'stdout', line: 'two' },
  { type: 'hook-end', result: result('e1', 'passed') },
  { type: 'hook-end', result: result('e2', 'failed') },
  { type: 'event-run-end', run: 'e1', list: 'on-crash', region: 'local', status: 'passed', durationMs: 1000 },
  { type: 'event-run-end', run: 'e2', list: 'on-crash', region: 'local', status: 'failed', durationMs: 1000 },
  { type: 'run-end', exitCode: 1, durationMs: 5000 },
];

describe('porter watch output', () => {
  it('text: each event in a line naming its runs, each run\'s lines and summary row apart by its key', () => {
    let out = '';
    const emit = createTextRenderer({ write: (t) => (out += t), color: false, quiet: false, githubActions: false });
    WATCH.forEach(emit);
    assert.match(out, /^porter: hello-s1-local-web exited with code 137 \(stack s1, region local\): on-crash \[e1\]$/m);
    assert.match(out, /^\[on-crash notify e1\] one$/m);
    assert.match(out, /^\[on-crash notify e2\] two$/m);
    assert.match(out, /^porter: \[e2\] on-crash failed \(1\.0s\)$/m);
    assert.match(out, /^ {2}passed {4}on-crash notify \(local\) \[e1\]/m);
    assert.match(out, /^ {2}failed {4}on-crash notify \(local\) \[e2\]/m);
  });

  it('JSON: hook-end carries the run key; the watch events pass through whole', () => {
    const time = new Date(0);
    assert.equal(toJsonEvent({ type: 'hook-end', result: result('e2', 'failed') }, time).run, 'e2');
    assert.deepEqual(toJsonEvent(WATCH[0] as PorterEvent, time), { time: time.toISOString(), type: 'stack-event', event, runs: [{ run: 'e1', list: 'on-crash' }] });
  });

  it('JUnit: one testcase per run, named with its key', () => {
    const xml = renderJUnit([result('e1', 'passed'), result('e2', 'failed')]);
    assert.match(xml, /<testcase classname="on-crash" name="notify \(local\) \[e1\]"/);
    assert.match(xml, /<testcase classname="on-crash" name="notify \(local\) \[e2\]"[^]*<failure/);
  });
});

describe('porter watch in the HTML report', () => {
  it('a section per event run, titled with its key, list and event; the watch phase stays outside them', () => {
    const sections = eventRunSections();
    const { model, add } = createReportModel(new LineBudget(), sections.sectionOf);
    const time = new Date(0);
    for (const e of [{ type: 'phase-start', phase: 'watch', environment: 'Stage' } as PorterEvent, ...WATCH]) {
      sections.note(e);
      add(toJsonEvent(e, time));
    }
    assert.deepEqual(model.runs.map((r) => [r.section, r.status]), [
      ['e1 · on-crash · hello-s1-local-web exited with code 137 (stack s1, region local)', 'passed'],
      ['e2 · on-crash · hello-s1-local-worker exited with code 137 (stack s1, region local)', 'failed'],
    ]);
    assert.deepEqual(model.phases.map((p) => [p.phase, p.section]), [['watch', undefined]]);
  });
});
