import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createTextRenderer, type TextRenderOptions } from '../../src/cli/render-text.js';
import { useColor } from '../../src/cli/reporter.js';
import type { HookResult, PorterEvent } from '../../src/events.js';

const ESC = '\u001b';
const CLEAR = '\r\u001b[K';

function render(events: PorterEvent[], opts: Partial<TextRenderOptions> = {}): string {
  let out = '';
  const emit = createTextRenderer({ write: (t) => (out += t), color: false, quiet: false, githubActions: false, ...opts });
  events.forEach(emit);
  return out;
}

const start = (hook: string, extra: { region?: string; attempt?: number } = {}): PorterEvent => ({ type: 'hook-start', list: 'smoke', hook, attempt: extra.attempt ?? 1, ...(extra.region ? { region: extra.region } : {}) });
const log = (hook: string, line: string, region?: string): PorterEvent => ({ type: 'hook-log', list: 'smoke', hook, stream: 'stdout', line, ...(region ? { region } : {}) });
const end = (hook: string, status: HookResult['status'], extra: Partial<HookResult> = {}): PorterEvent => ({
  type: 'hook-end', result: { list: 'smoke', hook, status, tail: [], durationMs: 1200, attempts: status === 'skipped' ? 0 : 1, ...extra },
});
const runEnd: PorterEvent = { type: 'run-end', exitCode: 1, durationMs: 3000 };

/** Two hooks, a passing one and a failing one, their lines interleaved as a concurrent group's are. */
const CONCURRENT: PorterEvent[] = [
  start('a'), start('b'),
  log('a', 'a one'), log('b', 'b one'), log('a', 'a two'), log('b', 'b two'),
  end('b', 'failed', { exitCode: 3, tail: ['b one', 'b two'] }),
  log('a', 'a three'),
  end('a', 'passed', { exitCode: 0 }),
  start('c'), log('c', 'c one'), end('c', 'passed', { exitCode: 0 }),
  end('d', 'skipped'),
  runEnd,
];

describe('text renderer: lines and summary', () => {
  it('prefixes each line with its list and hook, and ends with a summary naming every hook', { timeout: 2000 }, () => {
    const out = render(CONCURRENT);
    assert.match(out, /^\[smoke a\] a one$/m);
    assert.match(out, /^\[smoke b\] b two$/m);
    assert.match(out, /Summary:\n {2}failed {4}smoke b +1\.2s {2}\(exit 3\)\n {6}\| b one\n {6}\| b two\n {2}passed {4}smoke a/);
    assert.match(out, /skipped +smoke d\n/);
    assert.match(out, /2 passed, 1 failed, 1 skipped/);
  });

  it('shows the region in prefixes once several regions run, and the attempt of a retry', { timeout: 2000 }, () => {
    const out = render([start('a', { region: 'us' }), start('a', { region: 'eu' }), log('a', 'hi', 'eu'), start('a', { region: 'eu', attempt: 2 }), log('a', 'again', 'eu'), runEnd]);
    assert.match(out, /^\[smoke a eu\] hi$/m);
    assert.match(out, /^\[smoke a eu #2\] retrying \(attempt 2\)$/m);
    assert.match(out, /^\[smoke a eu #2\] again$/m);
  });

  it('prints the dry-run plan, info messages and warnings', { timeout: 2000 }, () => {
    const plan: PorterEvent = { type: 'plan', plan: { service: 'svc', lists: [{ list: 'smoke', regions: [], steps: [{ concurrent: false, hooks: [{ hook: 'a', dockerfile: 'd/Dockerfile', runCondition: 'pass', retries: 0, environmentKeys: ['K'] }] }] }] } };
    const out = render([plan, { type: 'message', level: 'info', text: 'hello' }, { type: 'message', level: 'warn', text: 'careful' }]);
    assert.match(out, /^Plan for svc \(dry run: nothing is built, cloned or run\)\nsmoke\n {2}1\. a {2}d\/Dockerfile\n {7}run_condition: pass; environment: K\n/);
    assert.match(out, /^hello$/m);
    assert.match(out, /^warning: careful$/m);
  });
});

describe('text renderer: colours', () => {
  it('gives each hook its own colour when colour is on', { timeout: 2000 }, () => {
    const out = render(CONCURRENT, { color: true });
    const colorOf = (hook: string): string | undefined => new RegExp(`${ESC}\\[(\\d+)m\\[smoke ${hook}\\]`).exec(out)?.[1];
    assert.ok(colorOf('a') && colorOf('b') && colorOf('c'), out);
    assert.equal(new Set([colorOf('a'), colorOf('b'), colorOf('c')]).size, 3);
    assert.match(out, new RegExp(`${ESC}\\[31mfailed`), 'the summary paints statuses');
  });

  it('writes no escape code at all when colour is off', { timeout: 2000 }, () => {
    const out = render([...CONCURRENT.slice(0, -1), { type: 'message', level: 'warn', text: 'w' }, runEnd], { color: false });
    assert.ok(out.length > 100);
    assert.equal(out.includes(ESC), false, JSON.stringify(out));
  });
});

describe('useColor', () => {
  const on = { flag: true, tty: true, env: {}, format: 'text' } as const;
  it('colours a terminal, and nothing else', () => {
    assert.equal(useColor(on), true);
    assert.equal(useColor({ ...on, tty: false }), false, 'not a TTY');
    assert.equal(useColor({ ...on, flag: false }), false, '--no-color');
    assert.equal(useColor({ ...on, format: 'json' }), false, 'JSON');
  });
  it('follows NO_COLOR as no-color.org says: set and not empty', () => {
    assert.equal(useColor({ ...on, env: { NO_COLOR: '1' } }), false);
    assert.equal(useColor({ ...on, env: { NO_COLOR: 'false' } }), false);
    assert.equal(useColor({ ...on, env: { NO_COLOR: '' } }), true);
  });
});

describe('text renderer: --quiet', () => {
  it('prints only failed hooks\' output and the summary', { timeout: 2000 }, () => {
    const out = render([{ type: 'phase-start', phase: 'pack' }, ...CONCURRENT.slice(0, -1), { type: 'message', level: 'info', text: 'chatter' }, runEnd], { quiet: true });
    assert.doesNotMatch(out, /a one|a three|c one|porter: pack|chatter/);
    assert.match(out, /^\[smoke b\] b one\n\[smoke b\] b two\n/);
    assert.match(out, /Summary:/);
  });
});

describe('text renderer: build progress line', () => {
  const building: PorterEvent[] = [
    start('a'),
    { type: 'build-progress', list: 'smoke', hook: 'a', step: 1, total: 3 },
    { type: 'build-progress', list: 'smoke', hook: 'c', step: 2, total: 5 },
    log('b', 'b line'),
    { type: 'build-progress', list: 'smoke', hook: 'a', step: 3, total: 3 },
    { type: 'build-end', list: 'smoke', hook: 'a', ok: true },
    log('a', 'a line'),
    { type: 'build-end', list: 'smoke', hook: 'c', ok: true },
    end('a', 'passed', { exitCode: 0 }),
    runEnd,
  ];

  it('on a TTY: draws step n of m in place and clears it before every real line', { timeout: 2000 }, () => {
    const out = render(building, { progress: true, columns: 200 });
    assert.match(out, /\r\u001b\[Kbuilding smoke a: step 1 of 3/);
    assert.match(out, /building smoke a: step 1 of 3 · smoke c: step 2 of 5/);
    // Every real line starts on a cleared line: the progress text never prefixes it.
    for (const line of ['[smoke b] b line', '[smoke a] a line', 'Summary:']) {
      const at = out.indexOf(line);
      assert.ok(at > 0, line);
      assert.ok(out.slice(0, at).endsWith(CLEAR) || out.slice(0, at).endsWith(`${CLEAR}\n`), `${line} follows a cleared progress line: ${JSON.stringify(out.slice(Math.max(0, at - 40), at))}`);
    }
    // What the terminal finally shows: apply \r and erase-line to each line of the output.
    const screen = out.split('\n').map((l) => l.split(CLEAR).at(-1)).join('\n');
    assert.doesNotMatch(screen, /building/, screen);
  });

  it('cuts the progress line to the terminal width', { timeout: 2000 }, () => {
    const out = render(building.slice(0, 3), { progress: true, columns: 20 });
    const drawn = out.split(CLEAR).filter(Boolean);
    assert.ok(drawn.length > 0);
    for (const d of drawn) assert.ok([...d].length <= 19, d);
  });

  it('is never drawn without a TTY, with --quiet or under GitHub Actions', { timeout: 2000 }, () => {
    for (const opts of [{ progress: false }, { progress: true, quiet: true }, { progress: true, githubActions: true }]) {
      const out = render(building, opts);
      assert.equal(out.includes('\r'), false, JSON.stringify(opts));
      assert.doesNotMatch(out, /step \d of/);
    }
  });
});
