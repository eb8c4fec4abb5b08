import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SharedTasks } from '../../src/git/shared-tasks.js';

/** Pure code: any test over this budget is stuck, not slow. */
const BUDGET = { timeout: 5_000 };

/** A task that settles when told, recording how often it started and whether its signal aborted. */
function controllable() {
  const record = { starts: 0, aborted: false };
  let finish: (value: string) => void = () => undefined;
  const start = (signal: AbortSignal): Promise<string> => {
    record.starts++;
    return new Promise<string>((resolve, reject) => {
      finish = resolve;
      signal.addEventListener('abort', () => { record.aborted = true; reject(signal.reason); });
    });
  };
  return { record, start, finish: (v: string) => finish(v) };
}

describe('SharedTasks', () => {
  it('runs a key once for concurrent and later callers', BUDGET, async () => {
    const tasks = new SharedTasks<string>();
    const t = controllable();
    const never = new AbortController().signal;
    const a = tasks.run('k', never, t.start);
    const b = tasks.run('k', never, t.start);
    await Promise.resolve();
    t.finish('done');
    assert.deepEqual(await Promise.all([a, b]), ['done', 'done']);
    assert.equal(await tasks.run('k', never, t.start), 'done');
    assert.equal(t.record.starts, 1);
  });

  it('keeps a failure for later callers (fetch once)', BUDGET, async () => {
    const tasks = new SharedTasks<string>();
    let starts = 0;
    const failing = async (): Promise<string> => { starts++; throw new Error('unreachable'); };
    const never = new AbortController().signal;
    await assert.rejects(tasks.run('k', never, failing), /unreachable/);
    await assert.rejects(tasks.run('k', never, failing), /unreachable/);
    assert.equal(starts, 1);
  });

  it('lets one caller give up without aborting the task the others wait for', BUDGET, async () => {
    const tasks = new SharedTasks<string>();
    const t = controllable();
    const quitter = new AbortController();
    const a = tasks.run('k', quitter.signal, t.start);
    const b = tasks.run('k', new AbortController().signal, t.start);
    quitter.abort(new Error('hook timed out'));
    await assert.rejects(a, /hook timed out/);
    assert.equal(t.record.aborted, false);
    t.finish('done');
    assert.equal(await b, 'done');
  });

  it('aborts the task when every caller gave up, and starts afresh for the next', BUDGET, async () => {
    const tasks = new SharedTasks<string>();
    const t = controllable();
    const one = new AbortController();
    const two = new AbortController();
    const a = tasks.run('k', one.signal, t.start);
    const b = tasks.run('k', two.signal, t.start);
    await Promise.resolve();
    one.abort(new Error('stop'));
    two.abort(new Error('stop'));
    await assert.rejects(a, /stop/);
    await assert.rejects(b, /stop/);
    assert.equal(t.record.aborted, true);
    const again = tasks.run('k', new AbortController().signal, t.start);
    await new Promise((r) => setImmediate(r));
    t.finish('fresh');
    assert.equal(await again, 'fresh');
    assert.equal(t.record.starts, 2);
  });

  it('rejects at once for a signal already aborted, without starting', BUDGET, async () => {
    const tasks = new SharedTasks<string>();
    const t = controllable();
    await assert.rejects(tasks.run('k', AbortSignal.abort(new Error('gone')), t.start), /gone/);
    assert.equal(t.record.starts, 0);
  });
});
