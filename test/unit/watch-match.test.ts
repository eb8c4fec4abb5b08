import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { EventHookConfig } from '../../src/config/types.js';
import { parseEventLine, parseRfc3339Nano, rfc3339Nano, sinceParameter, type EngineEvent } from '../../src/docker/engine-events.js';
import { watchedEntries } from '../../src/commands/watch.js';
import type { PorterConfig } from '../../src/config/types.js';
import { UsageError } from '../../src/errors.js';
import { engineActions, eventVariables, matchEntries, onceKey, scopeLabels, toStackEvent, type StackEvent } from '../../src/watch/match.js';

const scope = { service: 'hello', environment: 'Stage', region: 'local' };
const labels = { 'porter.service': 'hello', 'porter.environment': 'Stage', 'porter.region': 'local', 'porter.stack': 's1', 'porter.container': 'web' };
const engineEvent = (over: Partial<EngineEvent> = {}): EngineEvent => ({
  action: 'die', containerId: 'c0ffee', containerName: 'hello-s1-local-web', labels, exitCode: 137, timeNano: 1_700_000_000_123_456_789n, ...over,
});
const entry = (over: Partial<EventHookConfig>): EventHookConfig => ({ index: 0, on: ['die'], hooks: 'on-crash', oncePer: 'event', line: 1, ...over });

describe('an engine event line', () => {
  it('is read with its exact nanosecond time, exit code and porter labels only', () => {
    const line = '{"status":"die","id":"c0ffee","from":"img","Type":"container","Action":"die","Actor":{"ID":"c0ffee","Attributes":{"exitCode":"137","image":"img","name":"hello-s1-local-web","porter.stack":"s1","other":"x"}},"scope":"local","time":1700000000,"timeNano":1700000000123456789}';
    assert.deepEqual(parseEventLine(line), { action: 'die', containerId: 'c0ffee', containerName: 'hello-s1-local-web', labels: { 'porter.stack': 's1' }, exitCode: 137, timeNano: 1_700_000_000_123_456_789n });
  });

  it('is nothing when it is not a container event, not JSON, or has no time', () => {
    assert.equal(parseEventLine('{"Type":"network","Action":"connect","Actor":{"ID":"n"},"timeNano":1}'), undefined);
    assert.equal(parseEventLine('not json'), undefined);
    assert.equal(parseEventLine('{"Type":"container","Action":"die","Actor":{"ID":"c"}}'), undefined);
    assert.equal(parseEventLine('{"Type":"container","Action":"exec_start: sh -c x","Actor":{"ID":"c"},"timeNano":1}'), undefined, 'an exec command is no action of porter\'s');
  });

  it('times go to the engine and into variables with all nine digits', () => {
    assert.equal(sinceParameter(1_700_000_000_000_000_789n), '1700000000.000000789');
    assert.equal(rfc3339Nano(1_700_000_000_123_456_789n), '2023-11-14T22:13:20.123456789Z');
    assert.equal(parseRfc3339Nano('2023-11-14T22:13:20.123456789Z'), 1_700_000_000_123_456_789n);
    assert.equal(parseRfc3339Nano('2023-11-14T23:13:20.5+01:00'), 1_700_000_000_500_000_000n);
    assert.equal(parseRfc3339Nano('yesterday'), undefined);
  });
});

describe('which events a watcher sees', () => {
  it('maps the engine actions to kinds, health_status to healthy and unhealthy', () => {
    assert.equal(toStackEvent(engineEvent({ action: 'health_status: unhealthy' }), scope)?.kind, 'unhealthy');
    assert.equal(toStackEvent(engineEvent({ action: 'health_status: healthy' }), scope)?.kind, 'healthy');
    assert.equal(toStackEvent(engineEvent({ action: 'kill' }), scope), undefined);
    assert.deepEqual(engineActions([entry({ on: ['unhealthy', 'die'] }), entry({ on: ['healthy', 'restart'] })]), ['die', 'health_status', 'restart']);
  });

  it('ignores other services, environments and regions, and containers of no stack', () => {
    for (const [key, value] of [['porter.service', 'other'], ['porter.environment', 'Prod'], ['porter.region', 'eu']] as const) {
      assert.equal(toStackEvent(engineEvent({ labels: { ...labels, [key]: value } }), scope), undefined, key);
    }
    const { 'porter.stack': _stack, ...hookContainer } = labels;
    assert.equal(toStackEvent(engineEvent({ labels: hookContainer }), scope), undefined);
    assert.deepEqual(scopeLabels(scope), { 'porter.service': 'hello', 'porter.environment': 'Stage', 'porter.region': 'local', 'porter.stack': '' });
  });

  it('keeps the exit code of a die only', () => {
    assert.equal(toStackEvent(engineEvent({ action: 'stop' }), scope)?.exitCode, undefined);
    assert.equal(toStackEvent(engineEvent(), scope)?.exitCode, 137);
  });
});

describe('what an event runs', () => {
  const event = toStackEvent(engineEvent(), scope) as StackEvent;

  it('every entry whose on has the kind and whose container (if any) is the event\'s, in config order', () => {
    const entries = [entry({ index: 0, on: ['oom'] }), entry({ index: 1, container: 'worker' }), entry({ index: 2, container: 'web' }), entry({ index: 3, on: ['unhealthy', 'die'] })];
    assert.deepEqual(matchEntries(entries, event).map((e) => e.index), [2, 3]);
  });

  it('once_per event: no key; container and stack: the entry with the container or stack', () => {
    assert.equal(onceKey(entry({ oncePer: 'event' }), event), undefined);
    const other = { ...event, container: 'hello-s1-local-worker' };
    assert.notEqual(onceKey(entry({ oncePer: 'container' }), event), onceKey(entry({ oncePer: 'container' }), other));
    assert.equal(onceKey(entry({ oncePer: 'stack' }), event), onceKey(entry({ oncePer: 'stack' }), other));
    assert.notEqual(onceKey(entry({ oncePer: 'stack' }), event), onceKey(entry({ index: 1, oncePer: 'stack' }), event), 'entries take turns apart');
    assert.notEqual(onceKey(entry({ oncePer: 'stack' }), event), onceKey(entry({ oncePer: 'stack' }), { ...event, region: 'eu' }), 'a stack is one region\'s');
  });

  it('gives the hooks PORTER_EVENT_* (the exit code for a die only)', () => {
    assert.deepEqual(eventVariables(event), {
      PORTER_EVENT: 'die', PORTER_EVENT_CONTAINER: 'hello-s1-local-web', PORTER_EVENT_STACK: 's1', PORTER_EVENT_EXIT_CODE: '137',
      PORTER_EVENT_TIME: '2023-11-14T22:13:20.123456789Z',
    });
    assert.equal(eventVariables({ ...event, kind: 'start', exitCode: undefined }).PORTER_EVENT_EXIT_CODE, undefined);
  });
});

describe('a watcher with nothing to watch', () => {
  const config: PorterConfig = { file: '.porter/config', serviceName: 'hello', dockerName: 'hello', hooks: {}, ignoredKeys: [], environments: [{ name: 'Stage', regions: [], hotSwap: false, blackoutWindows: [], line: 1 }] };

  it('is a usage error naming the file and how to add an entry, before porter touches Docker', () => {
    assert.throws(() => watchedEntries(config, 'Stage'), (err: unknown) => err instanceof UsageError && err.exitCode === 2 && /^\.porter\/config has no events: entries.*docs\/events\.md/.test(err.message));
    assert.throws(() => watchedEntries({ ...config, events: [entry({})] }, 'Prod'), (err: unknown) => err instanceof UsageError && /Unknown environment "Prod"/.test(err.message));
    assert.equal(watchedEntries({ ...config, events: [entry({})] }, 'Stage').length, 1);
  });
});
