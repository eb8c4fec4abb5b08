import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ServiceState, TaskState } from '../../src/docker/engine.js';
import { taskEvents } from '../../src/watch/follow-swarm.js';
import { RunQueue } from '../../src/watch/run-queue.js';

/** A job the test finishes by hand, recording when it started. */
function gate(log: string[], name: string): { job: () => Promise<void>; finish: () => void } {
  let finish = (): void => {};
  const done = new Promise<void>((resolve) => (finish = resolve));
  return { job: async () => { log.push(name); await done; }, finish: () => finish() };
}
const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('event runs: queued, never dropped, at most the limit at once, one at a time per key', () => {
  it('a burst of ten starts four, then one more as each ends, in the order they came', async () => {
    const queue = new RunQueue(4);
    const log: string[] = [];
    const gates = Array.from({ length: 10 }, (_, i) => gate(log, `r${i}`));
    gates.forEach((g) => queue.add(undefined, g.job));
    await tick();
    assert.deepEqual(log, ['r0', 'r1', 'r2', 'r3']);
    assert.equal(queue.waiting, 6);
    gates[2]?.finish();
    await tick();
    assert.deepEqual(log.slice(4), ['r4']);
    gates.forEach((g) => g.finish());
    await queue.drained();
    assert.deepEqual(log, gates.map((_, i) => `r${i}`), 'every run ran, once, in order');
  });

  it('runs of one key wait for each other; a busy key does not hold back the runs behind it', async () => {
    const queue = new RunQueue(4);
    const log: string[] = [];
    const a1 = gate(log, 'a1');
    const a2 = gate(log, 'a2');
    const b1 = gate(log, 'b1');
    queue.add('a', a1.job);
    queue.add('a', a2.job);
    queue.add('b', b1.job);
    await tick();
    assert.deepEqual(log, ['a1', 'b1']);
    a1.finish();
    await tick();
    assert.deepEqual(log, ['a1', 'b1', 'a2']);
    a2.finish();
    b1.finish();
    await queue.drained();
    assert.equal(queue.running, 0);
  });

  it('clear forgets the runs that have not started; drained waits for the running ones', async () => {
    const queue = new RunQueue(1);
    const log: string[] = [];
    const first = gate(log, 'first');
    queue.add(undefined, first.job);
    queue.add(undefined, gate(log, 'second').job);
    await tick();
    assert.equal(queue.clear(), 1);
    let drained = false;
    const waiting = queue.drained().then(() => (drained = true));
    await tick();
    assert.equal(drained, false);
    first.finish();
    await waiting;
    assert.deepEqual(log, ['first']);
  });
});

describe('a Swarm region\'s task states as events', () => {
  const service = { id: 'svc', name: 'hello-s1-swarm-web', labels: { 'porter.stack': 's1' } } as unknown as ServiceState;
  const task = (id: string, state: string, updated: string, over: Partial<TaskState> = {}): TaskState =>
    ({ id, state, updated, created: updated, slot: 1, desired: 'running', message: '', ports: {}, node: { id: 'n', address: '', hostname: '' }, ...over });
  const since = 1_700_000_000_000_000_000n;

  it('what was there before the watcher started is history; changes after are events, once each', () => {
    const seen = new Map<string, string>();
    assert.deepEqual(taskEvents(seen, [{ service, tasks: [task('t1', 'running', '2023-11-14T22:00:00Z')] }], since), []);
    const failed = taskEvents(seen, [{ service, tasks: [task('t1', 'failed', '2023-11-14T22:13:21Z', { exitCode: 3 }), task('t2', 'running', '2023-11-14T22:13:22Z')] }], since);
    assert.deepEqual(failed.map((e) => [e.action, e.containerName, e.exitCode]), [['die', 'hello-s1-swarm-web.1.t1', 3], ['start', 'hello-s1-swarm-web.1.t2', undefined]]);
    assert.deepEqual(failed[0]?.labels, { 'porter.stack': 's1' });
    assert.deepEqual(taskEvents(seen, [{ service, tasks: [task('t1', 'failed', '2023-11-14T22:13:21Z'), task('t2', 'running', '2023-11-14T22:13:22Z')] }], since), [], 'seen states are not events again');
  });

  it('a task killed by its health check is unhealthy, then a die', () => {
    const events = taskEvents(new Map([['t1', 'running']]), [{ service, tasks: [task('t1', 'failed', '2023-11-14T22:13:21Z', { error: 'task: non-zero exit (137): dockerexec: unhealthy container', exitCode: 137 })] }], since);
    assert.deepEqual(events.map((e) => e.action), ['health_status: unhealthy', 'die']);
  });
});
