import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { HookConfig, RunCondition } from '../../src/config/types.js';
import type { HookResult, ListStatus, PorterEvent } from '../../src/events.js';
import { runHookList } from '../../src/hooks/run-list.js';
import { runPhase, type ListRunner } from '../../src/phases/run-phase.js';
import { makeHook } from '../helpers/hook.js';

/** A phase whose hooks are recorded instead of run: `fails` names the hooks that fail. */
function recordingPhase(lists: Record<string, Array<{ name: string; when?: RunCondition }>>, fails: string[] = []) {
  const ran: string[] = [];
  const skipped: string[] = [];
  const hooks: Record<string, HookConfig[]> = {};
  for (const [list, items] of Object.entries(lists)) hooks[list] = items.map((h, i) => makeHook(list, i, { name: h.name, runCondition: h.when ?? 'pass' }));
  const result = (hook: HookConfig, status: HookResult['status']): HookResult => ({ list: hook.list, hook: hook.id, status, tail: [], durationMs: 0, attempts: 1 });
  const runList: ListRunner = async (list, _scopes, start) => {
    const outcome = await runHookList(hooks[list] ?? [], start, {
      run: async (hook) => {
        ran.push(hook.id);
        return result(hook, fails.includes(hook.id) ? 'failed' : 'passed');
      },
      notRun: (hook, status) => {
        skipped.push(hook.id);
        return result(hook, status);
      },
    }, new AbortController().signal);
    return outcome.status;
  };
  return { ran, skipped, runList };
}

function phaseEvents(): { events: PorterEvent[]; emit: (e: PorterEvent) => void } {
  const events: PorterEvent[] = [];
  return { events, emit: (e) => events.push(e) };
}

const lists = {
  pre_pack: [{ name: 'lint' }, { name: 'pre-cleanup', when: 'fail' as const }],
  post_pack: [{ name: 'notify' }, { name: 'on-failure', when: 'fail' as const }, { name: 'always', when: 'always' as const }],
};

describe('runPhase: the phase boundary', { timeout: 5_000 }, () => {
  test('everything passes: pre_, body, post_ in order; fail hooks skipped; phase-start and phase-end events', async () => {
    const p = recordingPhase(lists);
    const { events, emit } = phaseEvents();
    let bodyRan = false;
    const status = await runPhase({ phase: 'pack', scopes: [{}], body: async () => ((bodyRan = true), { status: 'passed' }) }, p.runList, emit, () => 0);
    assert.equal(status, 'passed');
    assert.ok(bodyRan);
    assert.deepEqual(p.ran, ['lint', 'notify', 'always']);
    assert.deepEqual(p.skipped, ['pre-cleanup', 'on-failure']);
    assert.deepEqual(events.map((e) => e.type), ['phase-start', 'phase-end']);
    assert.deepEqual(events.at(-1), { type: 'phase-end', phase: 'pack', status: 'passed', durationMs: 0 });
  });

  test('a pre_ hook fails: the body does not run and post_ hooks are not called at all, not even fail/always ones', async () => {
    const p = recordingPhase(lists, ['lint']);
    const { events, emit } = phaseEvents();
    let bodyRan = false;
    const status = await runPhase({ phase: 'pack', scopes: [{}], body: async () => ((bodyRan = true), { status: 'passed' }) }, p.runList, emit, () => 0);
    assert.equal(status, 'failed');
    assert.equal(bodyRan, false);
    // Inside the pre_ list the run conditions still apply: its own fail hook runs.
    assert.deepEqual(p.ran, ['lint', 'pre-cleanup']);
    assert.deepEqual(p.skipped, []);
    const message = events.find((e) => e.type === 'message');
    assert.ok(message?.type === 'message' && /pre_pack failed, so porter did not pack and post_pack hooks were not called/.test(message.text));
    assert.deepEqual(events.at(-1), { type: 'phase-end', phase: 'pack', status: 'failed', durationMs: 0 });
  });

  test('the body fails: post_ hooks run with status failed (fail and always run, pass is skipped)', async () => {
    const p = recordingPhase(lists);
    const { emit } = phaseEvents();
    const status = await runPhase({ phase: 'pack', scopes: [{}], body: async () => ({ status: 'failed' }) }, p.runList, emit, () => 0);
    assert.equal(status, 'failed');
    assert.deepEqual(p.ran, ['lint', 'on-failure', 'always']);
    assert.deepEqual(p.skipped, ['pre-cleanup', 'notify']);
  });

  test('a failing post_ hook fails the phase although the body passed', async () => {
    const p = recordingPhase(lists, ['notify']);
    const status = await runPhase({ phase: 'pack', scopes: [{}], body: async () => ({ status: 'passed' }) }, p.runList, () => {}, () => 0);
    assert.equal(status, 'failed');
    assert.deepEqual(p.ran, ['lint', 'notify', 'on-failure', 'always']);
  });

  test('post_ hooks run in the scopes the body returns (the new stack), pre_ hooks in the phase scopes', async () => {
    const seen: Array<{ list: string; scopes: unknown; start: ListStatus }> = [];
    const runList: ListRunner = async (list, scopes, start) => (seen.push({ list, scopes, start }), start);
    const post = [{ environment: 'Stage', region: 'local', stackId: 's1', stackUrl: 'http://127.0.0.1:1' }];
    await runPhase({ phase: 'provision', environment: 'Stage', scopes: [{ environment: 'Stage', region: 'local' }], body: async () => ({ status: 'passed', postScopes: post }) }, runList, () => {}, () => 0);
    assert.deepEqual(seen, [
      { list: 'pre_provision', scopes: [{ environment: 'Stage', region: 'local' }], start: 'passed' },
      { list: 'post_provision', scopes: post, start: 'passed' },
    ]);
  });

  test('other lists around the body (a hot swap\'s pre_hotswap/post_hotswap) replace pre_/post_<phase>, with the same boundary rule', async () => {
    const p = recordingPhase({ ...lists, pre_provision: [{ name: 'not-this' }], post_provision: [{ name: 'nor-this' }], pre_hotswap: [{ name: 'drain' }], post_hotswap: [{ name: 'check' }] });
    const { events, emit } = phaseEvents();
    const status = await runPhase({ phase: 'provision', lists: { pre: 'pre_hotswap', post: 'post_hotswap' }, scopes: [{}], body: async () => ({ status: 'passed' }) }, p.runList, emit, () => 0);
    assert.equal(status, 'passed');
    assert.deepEqual(p.ran, ['drain', 'check']);
    assert.deepEqual(events.map((e) => e.type), ['phase-start', 'phase-end']);
    const failing = recordingPhase({ pre_hotswap: [{ name: 'drain' }], post_hotswap: [{ name: 'always', when: 'always' }] }, ['drain']);
    const failed = phaseEvents();
    assert.equal(await runPhase({ phase: 'provision', lists: { pre: 'pre_hotswap', post: 'post_hotswap' }, scopes: [{}], body: async () => assert.fail('the body must not run') }, failing.runList, failed.emit, () => 0), 'failed');
    assert.deepEqual(failing.ran, ['drain']);
    assert.ok(failed.events.some((e) => e.type === 'message' && e.text === 'pre_hotswap failed, so porter did not provision and post_hotswap hooks were not called.'));
  });

  test('a body that throws (engine gone, bad state) skips post_ hooks, ends the phase failed and rethrows', async () => {
    const p = recordingPhase(lists);
    const { events, emit } = phaseEvents();
    await assert.rejects(runPhase({ phase: 'pack', scopes: [{}], body: async () => { throw new Error('engine gone'); } }, p.runList, emit, () => 0), /engine gone/);
    assert.deepEqual(p.ran, ['lint']);
    assert.deepEqual(events.at(-1), { type: 'phase-end', phase: 'pack', status: 'failed', durationMs: 0 });
  });
});
