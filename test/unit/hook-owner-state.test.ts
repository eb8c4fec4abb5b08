import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ProcessOwner } from '../../src/context.js';
import { ownerState } from '../../src/hooks/abandoned-containers.js';
import { allOrFirstError } from '../../src/hooks/run-list.js';

const me: ProcessOwner = { pid: 100, host: 'ci-1', isAlive: (pid) => pid === 100 || pid === 200 };
const labels = (pid: string, host = 'ci-1') => ({ 'porter.pid': pid, 'porter.host': host });

describe('ownerState: whose is a hook container', () => {
  it('is live for this process and for another live pid on this host', () => {
    assert.equal(ownerState(labels('100'), me), 'live');
    assert.equal(ownerState(labels('200'), me), 'live');
  });
  it('is dead for a pid that no longer exists on this host', () => {
    assert.equal(ownerState(labels('300'), me), 'dead');
  });
  it('is unknown on another host, or without a usable pid', () => {
    assert.equal(ownerState(labels('300', 'ci-2'), me), 'unknown');
    for (const pid of ['', '0', '-4', '1.5', 'abc']) assert.equal(ownerState(labels(pid), me), 'unknown', pid);
    assert.equal(ownerState({}, me), 'unknown');
  });
});

describe('allOrFirstError', () => {
  it('waits for every promise before rejecting with the first error', async () => {
    let slowDone = false;
    const slow = new Promise<number>((r) => setTimeout(() => { slowDone = true; r(2); }, 30));
    await assert.rejects(allOrFirstError([Promise.reject(new Error('first')), slow]), /first/);
    assert.equal(slowDone, true);
  });
  it('resolves to the values in order', async () => {
    assert.deepEqual(await allOrFirstError([Promise.resolve(1), Promise.resolve(2)]), [1, 2]);
  });
});
