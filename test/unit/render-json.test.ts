import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { toJsonEvent } from '../../src/cli/json-events.js';
import type { CliIO } from '../../src/cli/program.js';
import { reportRun } from '../../src/cli/report-run.js';
import { createReporter } from '../../src/cli/reporter.js';
import { ConfigError, ExitCode, StateError } from '../../src/errors.js';
import type { PorterEvent } from '../../src/events.js';

const T = new Date('2030-01-02T03:04:05.678Z');

/** One of each event porter emits, as commands emit them. */
const EVERY_EVENT: PorterEvent[] = [
  { type: 'phase-start', phase: 'provision', environment: 'Stage' },
  { type: 'hook-start', list: 'pre_provision', hook: 'lint', region: 'us', attempt: 1 },
  { type: 'build-progress', list: 'pre_provision', hook: 'lint', step: 2, total: 4 },
  { type: 'build-end', list: 'pre_provision', hook: 'lint', ok: true },
  { type: 'hook-log', list: 'pre_provision', hook: 'lint', region: 'us', stream: 'stderr', line: 'line with "quotes"\tand tab' },
  { type: 'hook-end', result: { list: 'pre_provision', hook: 'lint', region: 'us', status: 'failed', stage: 'run', exitCode: 3, tail: ['boom'], durationMs: 1500, attempts: 2 } },
  { type: 'hook-end', result: { list: 'pre_provision', hook: 'ok', status: 'passed', exitCode: 0, tail: ['fine'], durationMs: 10, attempts: 1 } },
  { type: 'hook-end', result: { list: 'pre_provision', hook: 'later', status: 'skipped', tail: [], durationMs: 0, attempts: 0 } },
  { type: 'phase-end', phase: 'provision', environment: 'Stage', status: 'failed', durationMs: 2000 },
  { type: 'message', level: 'warn', text: 'two\nlines' },
  { type: 'plan', plan: { service: 'svc', lists: [{ list: 'smoke', regions: ['us'], environment: 'Stage', steps: [] }] } },
  { type: 'error', exitCode: 2, message: 'no engine' },
  { type: 'run-end', exitCode: 1, durationMs: 2500 },
];

describe('JSON event shapes', () => {
  it('puts time and type first and keeps every event on one line', () => {
    for (const e of EVERY_EVENT) {
      const json = toJsonEvent(e, T);
      assert.deepEqual(Object.keys(json).slice(0, 2), ['time', 'type']);
      assert.equal(json.time, '2030-01-02T03:04:05.678Z');
      assert.equal(json.type, e.type);
      assert.equal(JSON.stringify(json).includes('\n'), false);
    }
  });

  it('documents hook-end flat: status, exit code, duration; the tail only for failures', () => {
    const [failed, passed, skipped] = EVERY_EVENT.filter((e) => e.type === 'hook-end').map((e) => toJsonEvent(e, T));
    assert.deepEqual(failed, { time: T.toISOString(), type: 'hook-end', list: 'pre_provision', hook: 'lint', region: 'us', status: 'failed', exitCode: 3, durationMs: 1500, attempts: 2, stage: 'run', tail: ['boom'] });
    assert.deepEqual(passed, { time: T.toISOString(), type: 'hook-end', list: 'pre_provision', hook: 'ok', status: 'passed', exitCode: 0, durationMs: 10, attempts: 1 });
    assert.deepEqual(skipped, { time: T.toISOString(), type: 'hook-end', list: 'pre_provision', hook: 'later', status: 'skipped', durationMs: 0, attempts: 0 });
  });

  it('keeps the other shapes as documented', () => {
    const byType = new Map<string, Record<string, unknown>>(EVERY_EVENT.map((e) => [e.type, toJsonEvent(e, T)]));
    const strip = (type: string): Record<string, unknown> => {
      const { time: _t, ...rest } = byType.get(type) ?? { time: '' };
      return rest;
    };
    assert.deepEqual(strip('hook-log'), { type: 'hook-log', list: 'pre_provision', hook: 'lint', region: 'us', stream: 'stderr', line: 'line with "quotes"\tand tab' });
    assert.deepEqual(strip('hook-start'), { type: 'hook-start', list: 'pre_provision', hook: 'lint', region: 'us', attempt: 1 });
    assert.deepEqual(strip('phase-end'), { type: 'phase-end', phase: 'provision', environment: 'Stage', status: 'failed', durationMs: 2000 });
    assert.deepEqual(strip('plan'), { type: 'plan', service: 'svc', lists: [{ list: 'smoke', regions: ['us'], environment: 'Stage', steps: [] }] });
    assert.deepEqual(strip('run-end'), { type: 'run-end', exitCode: 1, durationMs: 2500 });
  });
});

function fakeIo(out: string[], err: string[], signal = new AbortController().signal): CliIO {
  return {
    argv: [], env: {}, cwd: '/', stdout: (t) => out.push(t), stderr: (t) => err.push(t), stdoutIsTTY: true, signal,
    owner: { pid: 1, host: 'test', isAlive: () => true },
  };
}

async function jsonRun(invoke: (io: CliIO, emit: (e: PorterEvent) => void) => Promise<number>, signal?: AbortSignal) {
  const out: string[] = [];
  const err: string[] = [];
  const io = fakeIo(out, err, signal);
  const reporter = await createReporter({ format: 'json', color: true, quiet: false, githubActions: true, tty: true, stdout: io.stdout, stderr: io.stderr, now: () => T });
  const outcome = await reportRun(reporter, io, true, (runIo) => invoke(runIo, reporter.emit));
  const text = out.join('');
  const events = text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
  return { outcome, text, events, err: err.join('') };
}

describe('a run in JSON format', () => {
  it('writes only JSON lines to stdout: stray text from an action becomes a message event; run-end carries the exit code', { timeout: 2000 }, async () => {
    const { outcome, text, events } = await jsonRun(async (io, emit) => {
      io.stdout('some text\n');
      EVERY_EVENT.slice(0, -2).forEach(emit);
      return ExitCode.failed;
    });
    assert.equal(outcome.code, ExitCode.failed);
    assert.ok(text.endsWith('\n'));
    assert.equal(text.includes('\u001b'), false, 'no colour in JSON even when stdout is a TTY');
    assert.equal(text.includes('::'), false, 'no GitHub commands in JSON');
    assert.deepEqual(events[0], { time: T.toISOString(), type: 'message', level: 'info', text: 'some text' });
    assert.deepEqual(events.at(-1), { time: T.toISOString(), type: 'run-end', exitCode: 1, durationMs: events.at(-1)?.durationMs });
    assert.equal(events.length, EVERY_EVENT.length - 1 + 1);
  });

  it('reports a porter error as an error event (with every config problem) before run-end', { timeout: 2000 }, async () => {
    const problems = [{ file: '.porter/config', line: 3, path: 'hooks.x[0].retries', message: 'must be a whole number.' }];
    const { outcome, events } = await jsonRun(async () => {
      throw new ConfigError(problems);
    });
    assert.equal(outcome.failed && outcome.error instanceof ConfigError, true, 'the error still reaches stderr through run-cli');
    assert.deepEqual(events.map((e) => e.type), ['error', 'run-end']);
    assert.equal(events[0]?.exitCode, ExitCode.usage);
    assert.deepEqual(events[0]?.problems, problems);
    assert.match(String(events[0]?.message), /hooks\.x\[0\]\.retries/);
    assert.equal(events[1]?.exitCode, ExitCode.usage);
  });

  it('reports an interrupt as exit 130, whatever the action rejected with', { timeout: 2000 }, async () => {
    const controller = new AbortController();
    const { outcome, events } = await jsonRun(async () => {
      controller.abort();
      throw Object.assign(new Error('aborted'), { name: 'AbortError' });
    }, controller.signal);
    assert.equal(outcome.code, ExitCode.interrupted);
    assert.deepEqual(events.map((e) => [e.type, e.exitCode]), [['error', 130], ['run-end', 130]]);
  });

  it('names a bug as one, with exit 1', { timeout: 2000 }, async () => {
    const { events } = await jsonRun(async () => {
      throw new TypeError('x is undefined');
    });
    assert.equal(events[0]?.type, 'error');
    assert.equal(events[0]?.exitCode, 1);
    assert.match(String(events[0]?.message), /internal error \(a bug in porter\): x is undefined/);
  });

  it('reports any other porter error with its paragraph and exit code, without problems', { timeout: 2000 }, async () => {
    const { events } = await jsonRun(async () => {
      throw new StateError('Run porter build pack first.');
    });
    assert.deepEqual(events[0], { time: T.toISOString(), type: 'error', exitCode: 2, message: 'Run porter build pack first.' });
  });
});
