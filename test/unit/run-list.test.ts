import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { HookConfig } from '../../src/config/types.js';
import type { HookResult, HookStatus } from '../../src/events.js';
import { runHookList, type HookStepRunner } from '../../src/hooks/run-list.js';
import { makeHook } from '../helpers/hook.js';

/** A runner that records start/end order and returns the status scripted per hook name. */
function recordingRunner(outcomes: Record<string, HookStatus>, delays: Record<string, number> = {}) {
  const events: string[] = [];
  const result = (hook: HookConfig, status: HookStatus): HookResult => ({
    list: hook.list, hook: hook.id, status, tail: [], durationMs: 0, attempts: status === 'skipped' ? 0 : 1,
  });
  const runner: HookStepRunner = {
    async run(hook) {
      events.push(`start ${hook.id}`);
      await new Promise((r) => setTimeout(r, delays[hook.id] ?? 1));
      events.push(`end ${hook.id}`);
      return result(hook, outcomes[hook.id] ?? 'passed');
    },
    notRun: (hook, status) => result(hook, status),
  };
  return { runner, events };
}

const hook = (name: string, fields: Partial<HookConfig> = {}, i = 0) => makeHook('post_pack', i, { name, ...fields });
const never = new AbortController().signal;

describe('runHookList', () => {
  it('skips pass hooks after a failure and still runs fail and always hooks', async () => {
    const { runner } = recordingRunner({ b: 'failed' });
    const hooks = [hook('a'), hook('b'), hook('c'), hook('d', { runCondition: 'fail' }), hook('e', { runCondition: 'always' })];
    const out = await runHookList(hooks, 'passed', runner, never);
    assert.equal(out.status, 'failed');
    assert.deepEqual(out.results.map((r) => `${r.hook}:${r.status}`), ['a:passed', 'b:failed', 'c:skipped', 'd:passed', 'e:passed']);
  });

  it('starts a post_ list with status failed when the body failed', async () => {
    const { runner } = recordingRunner({});
    const hooks = [hook('p'), hook('f', { runCondition: 'fail' }), hook('x', { runCondition: 'always' })];
    const out = await runHookList(hooks, 'failed', runner, never);
    assert.deepEqual(out.results.map((r) => `${r.hook}:${r.status}`), ['p:skipped', 'f:passed', 'x:passed']);
    assert.equal(out.status, 'failed');
  });

  it('skips fail hooks while the status is passed', async () => {
    const { runner } = recordingRunner({});
    const out = await runHookList([hook('a'), hook('f', { runCondition: 'fail' })], 'passed', runner, never);
    assert.deepEqual(out.results.map((r) => r.status), ['passed', 'skipped']);
    assert.equal(out.status, 'passed');
  });

  it('runs a group together and lets siblings of a failed hook finish', async () => {
    const { runner, events } = recordingRunner({ b: 'failed' }, { b: 1, c: 30 });
    const hooks = [hook('a'), hook('b', { concurrent: true }), hook('c', { concurrent: true }), hook('d'), hook('e', { runCondition: 'always' })];
    const out = await runHookList(hooks, 'passed', runner, never);
    assert.deepEqual(events, ['start a', 'end a', 'start b', 'start c', 'end b', 'end c', 'start e', 'end e']);
    assert.deepEqual(out.results.map((r) => `${r.hook}:${r.status}`), ['a:passed', 'b:failed', 'c:passed', 'd:skipped', 'e:passed']);
  });

  it('tells each hook the list status its step started with (PORTER_HOOK_STATUS): siblings of a group share it', { timeout: 5_000 }, async () => {
    const seen: string[] = [];
    const { runner } = recordingRunner({ b: 'failed' });
    const telling: HookStepRunner = { ...runner, run: (h, status) => { seen.push(`${h.id}:${status}`); return runner.run(h, status); } };
    const hooks = [hook('a'), hook('b', { concurrent: true }), hook('c', { concurrent: true, runCondition: 'always' }), hook('d', { runCondition: 'always' }), hook('e', { runCondition: 'fail' })];
    await runHookList(hooks, 'passed', telling, never);
    assert.deepEqual(seen, ['a:passed', 'b:passed', 'c:passed', 'd:failed', 'e:failed']);
    seen.length = 0;
    await runHookList([hook('x', { runCondition: 'always' })], 'failed', telling, never);
    assert.deepEqual(seen, ['x:failed'], 'a post_ list after a failed body starts failed');
  });

  it('runs [1, 2 concurrent, 3] strictly one after another', async () => {
    const { runner, events } = recordingRunner({}, { '1': 20 });
    await runHookList([hook('1'), hook('2', { concurrent: true }), hook('3')], 'passed', runner, never);
    assert.deepEqual(events, ['start 1', 'end 1', 'start 2', 'end 2', 'start 3', 'end 3']);
  });

  it('counts a timed-out hook as a failure', async () => {
    const { runner } = recordingRunner({ a: 'timed-out' });
    const out = await runHookList([hook('a'), hook('b'), hook('c', { runCondition: 'fail' })], 'passed', runner, never);
    assert.deepEqual(out.results.map((r) => r.status), ['timed-out', 'skipped', 'passed']);
  });

  it('reports hooks after an abort as cancelled without running them', async () => {
    const ctrl = new AbortController();
    const { runner, events } = recordingRunner({});
    const first: HookStepRunner = { ...runner, run: async (h, status) => { const r = await runner.run(h, status); ctrl.abort(); return r; } };
    const out = await runHookList([hook('a'), hook('b'), hook('c', { runCondition: 'always' })], 'passed', first, ctrl.signal);
    assert.deepEqual(out.results.map((r) => r.status), ['passed', 'cancelled', 'cancelled']);
    assert.deepEqual(events, ['start a', 'end a']);
    assert.equal(out.status, 'failed');
  });
});
