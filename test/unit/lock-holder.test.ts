import assert from 'node:assert/strict';
import { test } from 'node:test';
import { abandonedBecause, describeHolder, formatNote, lockName, observe, parseNote, readHolder, holderLabels } from '../../src/phases/lock-holder.js';
import { formatDuration } from '../../src/phases/lock-duration.js';

const holder = { host: 'ci-7', ns: 'pid:[1]', pid: 4242, command: 'porter build promote -e Stage', since: '2026-12-02T15:02:11.123Z' };
const me = (alive: boolean, host = 'ci-7', ns = 'pid:[1]') => ({ host, ns, pid: 1, isAlive: () => alive });

test('the lock is named per service, environment and region, and its labels give the holder back', () => {
  assert.equal(lockName('web', 'Stage', 'eu'), 'porter-lock-web-Stage-eu');
  assert.deepEqual(readHolder(holderLabels('web', 'Stage', 'eu', holder)), holder);
  assert.equal(describeHolder(holder), 'porter build promote -e Stage (pid 4242 on ci-7) since 2026-12-02 15:02:11 UTC');
});

test('a note survives the round trip; a missing or broken one is beat 0 without intent', () => {
  const note = { beat: 3, intent: { action: 'promote' as const, stackId: 'abc-1' } };
  assert.deepEqual(parseNote(formatNote(note)), note);
  assert.deepEqual(parseNote(''), { beat: 0 });
  assert.deepEqual(parseNote('{"beat":'), { beat: 0 });
});

test('a holder is abandoned when its pid is dead on this host, or its beat stood still for staleMs of the waiter\'s clock', () => {
  const seen = observe(undefined, 'c1', 5, 1000);
  assert.match(abandonedBecause(holder, seen, me(false), 1000, 30_000) ?? '', /its process \(pid 4242\) is no longer running on this host/);
  assert.equal(abandonedBecause(holder, seen, me(false, 'ci-8'), 1000, 30_000), undefined, 'another host: its pid says nothing here');
  assert.equal(abandonedBecause(holder, seen, me(false, 'ci-7', 'pid:[2]'), 1000, 30_000), undefined, 'nor in another pid namespace (a container with the same hostname)');
  assert.equal(abandonedBecause(holder, seen, me(true), 30_999, 30_000), undefined);
  assert.match(abandonedBecause(holder, observe(seen, 'c1', 5, 31_000), me(true), 31_000, 30_000) ?? '', /not renewed for 30 s/);
  const renewed = observe(seen, 'c1', 6, 20_000);
  assert.equal(abandonedBecause(holder, renewed, me(true), 31_000, 30_000), undefined, 'a new beat restarts the clock');
  assert.equal(observe(renewed, 'c2', 6, 25_000).changedAt, 25_000, 'so does a new holder');
});

test('durations read as the waiting lines say them', () => {
  assert.deepEqual([500, 2000, 90_000, 600_000, 3_660_000].map(formatDuration), ['500ms', '2s', '1m 30s', '10m', '1h 1m']);
});
