import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ContainerState } from '../../src/docker/engine.js';
import { createFrameReader } from '../../src/docker/frames.js';
import { publishAddress } from '../../src/phases/publish.js';
import { aliasHolders, groupStacks, selectForPrune, stackUrl } from '../../src/phases/stacks.js';

const NET = 'porter-hello-Stage';

function container(name: string, stack: string, created: string, opts: { port?: number; alias?: boolean; version?: string } = {}): ContainerState {
  return {
    id: `id-${name}`, name, image: 'hello-web:v1', created, running: true, status: 'running', exitCode: 0,
    labels: { 'porter.stack': stack, 'porter.version': opts.version ?? 'v1' },
    networks: { [NET]: opts.alias ? ['hello', 'abc123'] : ['abc123'] }, addresses: { [NET]: '172.20.0.2' },
    ports: opts.port ? { 8080: { hostIp: '127.0.0.1', hostPort: opts.port } } : {},
  };
}

describe('stacks as the engine shows them', { timeout: 5_000 }, () => {
  test('containers are grouped by porter.stack, newest first; the promoted one holds the alias on the environment network', () => {
    const stacks = groupStacks([
      container('a-web', 'a', '2026-01-01T00:00:01.000000001Z', { port: 1001 }),
      container('c-web', 'c', '2026-01-01T00:00:03Z', { port: 1003 }),
      container('b-web', 'b', '2026-01-01T00:00:02Z', { port: 1002, alias: true }),
      container('b-worker', 'b', '2026-01-01T00:00:02.5Z'),
      { ...container('stray', '', '2026-01-01T00:00:09Z'), labels: {} },
    ], 'hello', NET);
    assert.deepEqual(stacks.map((s) => [s.id, s.promoted, s.containers.length]), [['c', false, 1], ['b', true, 2], ['a', false, 1]]);
  });

  test('the alias goes to the inet (published) containers, or to every container of a worker-only stack', () => {
    const mixed = { containers: [container('web', 's', 't', { port: 1 }), container('worker', 's', 't')] };
    assert.deepEqual(aliasHolders(mixed).map((c) => c.name), ['web']);
    const workers = { containers: [container('w1', 's', 't'), container('w2', 's', 't')] };
    assert.deepEqual(aliasHolders(workers).map((c) => c.name), ['w1', 'w2']);
  });

  test('prune keeps the promoted stack and the N newest others, and removes the rest', () => {
    const stacks = [
      { id: 'e', promoted: false }, { id: 'd', promoted: true }, { id: 'c', promoted: false }, { id: 'b', promoted: false }, { id: 'a', promoted: false },
    ];
    const ids = (keep: number) => {
      const chosen = selectForPrune(stacks, keep);
      return { remove: chosen.remove.map((s) => s.id), keep: chosen.keep.map((s) => s.id) };
    };
    assert.deepEqual(ids(0), { remove: ['e', 'c', 'b', 'a'], keep: ['d'] });
    assert.deepEqual(ids(1), { remove: ['c', 'b', 'a'], keep: ['d', 'e'] });
    assert.deepEqual(ids(2), { remove: ['b', 'a'], keep: ['d', 'e', 'c'] });
    assert.deepEqual(ids(10), { remove: [], keep: ['d', 'e', 'c', 'b', 'a'] });
    assert.deepEqual(selectForPrune([{ id: 'x', promoted: true }], 0).remove, []);
  });

  test('a stack URL is its first published port, on 127.0.0.1 for a local engine and on the host of a remote one', () => {
    const stack = { containers: [container('a-worker', 's', 't'), container('b-web', 's', 't', { port: 41055 })] };
    assert.equal(stackUrl(stack, publishAddress('unix:///var/run/docker.sock', {})), 'http://127.0.0.1:41055');
    assert.equal(stackUrl(stack, publishAddress('tcp://127.0.0.1:2375', {})), 'http://127.0.0.1:41055');
    assert.equal(stackUrl(stack, publishAddress('tcp://docker-eu.example.com:2376', {})), 'http://docker-eu.example.com:41055');
    assert.deepEqual(publishAddress('tcp://docker-eu.example.com:2376', {}), { local: false, bindIp: '0.0.0.0', urlHost: 'docker-eu.example.com' });
    assert.equal(stackUrl({ containers: [container('w', 's', 't')] }, publishAddress('unix:///x', {})), undefined);
  });
});

describe('the engine stream format', { timeout: 5_000 }, () => {
  const frame = (stream: number, text: string): Buffer => {
    const payload = Buffer.from(text);
    const head = Buffer.alloc(8);
    head[0] = stream;
    head.writeUInt32BE(payload.length, 4);
    return Buffer.concat([head, payload]);
  };

  test('frames split across chunks, or several in one chunk, come out whole and in order', () => {
    const bytes = Buffer.concat([frame(1, 'tar bytes'), frame(2, 'a warning\n'), frame(1, '')]);
    const reader = createFrameReader();
    const out = [...reader.push(bytes.subarray(0, 5)), ...reader.push(bytes.subarray(5, 20)), ...reader.push(bytes.subarray(20))];
    assert.deepEqual(out.map((f) => [f.stream, f.payload.toString()]), [[1, 'tar bytes'], [2, 'a warning\n'], [1, '']]);
    assert.equal(reader.pending(), 0);
    assert.deepEqual(createFrameReader().push(frame(1, 'half').subarray(0, 10)), []);
  });
});
