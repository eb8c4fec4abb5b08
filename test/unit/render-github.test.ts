import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createGitHubGroups, escapeData, escapeProperty } from '../../src/cli/hook-groups.js';
import { createTextRenderer } from '../../src/cli/render-text.js';
import type { HookResult, PorterEvent } from '../../src/events.js';

type Ref = { hook: string; region?: string };
const start = (r: Ref): PorterEvent => ({ type: 'hook-start', list: 'smoke', attempt: 1, ...r });
const log = (r: Ref, line: string): PorterEvent => ({ type: 'hook-log', list: 'smoke', stream: 'stdout', line, ...r });
const end = (r: Ref, status: HookResult['status'], extra: Partial<HookResult> = {}): PorterEvent => ({
  type: 'hook-end', result: { list: 'smoke', ...r, status, tail: [], durationMs: 10, attempts: 1, ...extra },
});

function renderGitHub(events: PorterEvent[], quiet = false): string[] {
  let out = '';
  const emit = createTextRenderer({ write: (t) => (out += t), color: false, quiet, githubActions: true, progress: true });
  events.forEach(emit);
  return out.split('\n');
}

/** Checks GitHub's rules on the output: groups never nest, and each hook's lines sit inside its own single group. */
function groupsOf(lines: string[]): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  let open: string | undefined;
  for (const line of lines) {
    if (line.startsWith('::group::')) {
      assert.equal(open, undefined, `::group:: inside the open group ${open}`);
      open = line.slice('::group::'.length);
      assert.equal(groups.has(open), false, `${open} has two groups`);
      groups.set(open, []);
    } else if (line === '::endgroup::') {
      assert.notEqual(open, undefined, 'an ::endgroup:: without a group');
      open = undefined;
    } else if (line.startsWith('::error')) {
      assert.equal(open, undefined, `${line} written inside the group ${open}`);
    } else {
      const m = /^\[smoke (\S+)(?: (\S+))?\]/.exec(line);
      if (!m) continue;
      const title = `smoke ${m[1]}${m[2] ? ` (${m[2]})` : ''}`;
      assert.equal(open, title, `the line "${line}" is outside its group (open: ${open})`);
      groups.get(title)?.push(line);
    }
  }
  assert.equal(open, undefined, 'a group was left open');
  return groups;
}

const a = { hook: 'a', region: 'us' };
const b = { hook: 'b', region: 'us' };
const c = { hook: 'a', region: 'eu' };
const x = { hook: 'x' };
const y = { hook: 'y' };

describe('GitHub Actions groups', () => {
  it('keeps each concurrent hook\'s lines in its own group, in order, and adds an ::error:: per failure', { timeout: 2000 }, () => {
    const lines = renderGitHub([
      start(a), start(b), start(c),
      log(a, 'a1'), log(b, 'b1'), log(c, 'c1'), log(b, 'b2'), log(a, 'a2'),
      end(b, 'failed', { exitCode: 3, tail: ['b1', 'b2'] }),
      log(c, 'c2'), log(a, 'a3'),
      end(a, 'passed', { exitCode: 0 }),
      log(c, 'c3'),
      end(c, 'timed-out', { message: 'smoke a timed out after 1s and was killed.' }),
      { type: 'run-end', exitCode: 1, durationMs: 100 },
    ]);
    const groups = groupsOf(lines);
    assert.deepEqual([...groups.keys()], ['smoke a (us)', 'smoke b (us)', 'smoke a (eu)']);
    assert.deepEqual(groups.get('smoke a (us)'), ['[smoke a us] a1', '[smoke a us] a2', '[smoke a us] a3']);
    assert.deepEqual(groups.get('smoke b (us)'), ['[smoke b us] b1', '[smoke b us] b2']);
    assert.deepEqual(groups.get('smoke a (eu)'), ['[smoke a eu] c1', '[smoke a eu] c2', '[smoke a eu] c3']);
    const errors = lines.filter((l) => l.startsWith('::error'));
    assert.deepEqual(errors, [
      '::error title=porter%3A smoke b (us) failed::smoke b (us) failed with exit code 3%0Ab1%0Ab2',
      '::error title=porter%3A smoke a (eu) timed-out::smoke a timed out after 1s and was killed.',
    ]);
    // Each annotation follows its own hook's group.
    assert.ok(lines.indexOf(errors[0] ?? '') > lines.lastIndexOf('[smoke b us] b2'));
    assert.equal(lines.some((l) => l.includes('\r')), false, 'no progress line under GitHub Actions');
  });

  it('opens no group for skipped or never-started hooks, and closes what an interrupted run left open', { timeout: 2000 }, () => {
    const lines = renderGitHub([
      start(x), start(y), log(y, 'held'),
      end({ hook: 'later' }, 'skipped'), end({ hook: 'never' }, 'cancelled'),
      { type: 'run-end', exitCode: 130, durationMs: 100 },
    ]);
    const groups = groupsOf(lines);
    assert.deepEqual([...groups.keys()], ['smoke x', 'smoke y']);
    assert.deepEqual(groups.get('smoke y'), ['[smoke y] held'], 'held lines are flushed at run end');
  });

  it('with --quiet: a group only for a failed hook, written whole when it ends', { timeout: 2000 }, () => {
    const lines = renderGitHub([start(x), start(y), log(x, 'x1'), log(y, 'y1'), end(y, 'failed', { exitCode: 1 }), end(x, 'passed'), { type: 'run-end', exitCode: 1, durationMs: 1 }], true);
    const groups = groupsOf(lines);
    assert.deepEqual([...groups.keys()], ['smoke y']);
    assert.deepEqual(groups.get('smoke y'), ['[smoke y] y1']);
    assert.equal(lines.filter((l) => l.startsWith('::error')).length, 1);
  });

  it('turns warnings into ::warning:: annotations', { timeout: 2000 }, () => {
    assert.ok(renderGitHub([{ type: 'message', level: 'warn', text: 'bad line\nin output' }]).includes('::warning::bad line%0Ain output'));
  });
});

describe('createGitHubGroups', () => {
  it('streams the hook that owns the open group and holds the others until their turn', { timeout: 2000 }, () => {
    const out: string[] = [];
    const g = createGitHubGroups((t) => out.push(t));
    g.open('1', 'one');
    g.open('2', 'two');
    g.line('2', 'two-a\n');
    g.line('1', 'one-a\n');
    assert.deepEqual(out, ['::group::one\n', 'one-a\n']);
    g.close('1', []);
    assert.deepEqual(out.slice(2), ['::endgroup::\n', '::group::two\n', 'two-a\n']);
    g.line('2', 'two-b\n');
    g.close('2', ['::error::x\n']);
    assert.deepEqual(out.slice(5), ['two-b\n', '::endgroup::\n', '::error::x\n']);
  });
});

describe('workflow command escaping', () => {
  it('escapes %, CR and LF in messages, and also : and , in properties', () => {
    assert.equal(escapeData('100%\r\nok'), '100%25%0D%0Aok');
    assert.equal(escapeProperty('a: b, c'), 'a%3A b%2C c');
  });
});
