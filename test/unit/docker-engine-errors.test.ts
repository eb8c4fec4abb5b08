import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { EngineError, ExitCode } from '../../src/errors.js';
import { connectionDetail, engineCalls, isEngineConnectionError, toEngineError } from '../../src/docker/engine-errors.js';
import { PushFailure } from '../../src/docker/engine.js';

const sysErr = (code: string, syscall?: string, message = `${syscall ?? ''} ${code}`.trim()): Error =>
  Object.assign(new Error(message), { code, ...(syscall ? { syscall } : {}) });

describe('isEngineConnectionError', () => {
  test('socket failures count, wherever they happen', () => {
    for (const err of [sysErr('ECONNREFUSED', 'connect'), sysErr('ECONNRESET', undefined, 'socket hang up'), sysErr('EPIPE', 'write'), sysErr('ETIMEDOUT', 'connect'), sysErr('ENOTFOUND', 'getaddrinfo')]) {
      assert.equal(isEngineConnectionError(err), true, err.message);
    }
  });

  test('ENOENT and EACCES count only from connect(), not from reading a context file', () => {
    assert.equal(isEngineConnectionError(sysErr('ENOENT', 'connect')), true);
    assert.equal(isEngineConnectionError(sysErr('EACCES', 'connect')), true);
    assert.equal(isEngineConnectionError(sysErr('ENOENT', 'lstat')), false);
    assert.equal(isEngineConnectionError(sysErr('EACCES', 'open')), false);
  });

  test('an HTTP error from the engine, or a plain bug, does not', () => {
    assert.equal(isEngineConnectionError(Object.assign(new Error('(HTTP code 404) no such container'), { statusCode: 404 })), false);
    assert.equal(isEngineConnectionError(new TypeError('x is undefined')), false);
    assert.equal(isEngineConnectionError(undefined), false);
  });

  test('a connection error wrapped as a cause is recognised', () => {
    assert.equal(isEngineConnectionError(new Error('request failed', { cause: sysErr('ECONNRESET') })), true);
  });
});

describe('toEngineError', () => {
  test('before any answer: "Cannot reach", naming the host and the reason, exit 2', () => {
    const err = toEngineError(sysErr('ENOENT', 'connect', 'connect ENOENT /var/run/docker.sock'), 'unix:///var/run/docker.sock');
    assert.ok(err instanceof EngineError);
    assert.equal(err.exitCode, ExitCode.usage);
    assert.equal(err.message, 'Cannot reach the Docker engine at unix:///var/run/docker.sock (connect ENOENT). Start dockerd, or point DOCKER_HOST at an engine that answers.');
  });

  test('a permission problem says so instead of "start dockerd"', () => {
    const err = toEngineError(sysErr('EACCES', 'connect'), 'unix:///var/run/docker.sock');
    assert.match(String(err?.message), /\(connect EACCES\)\. Run porter as a user allowed to use that socket/);
  });

  test('after an answer: the engine went away, and the hook is not blamed', () => {
    const err = toEngineError(sysErr('ECONNRESET', undefined, 'socket hang up'), 'tcp://h:2375', 'a container was running');
    assert.equal(err?.message, 'The Docker engine at tcp://h:2375 went away while a container was running (socket hang up). The hook did not fail: the engine stopped answering. Check that dockerd is running, then run porter again.');
  });

  test('anything else is left alone (undefined); an EngineError passes through', () => {
    assert.equal(toEngineError(new Error('boom'), 'h'), undefined);
    const existing = new EngineError('already');
    assert.equal(toEngineError(existing, 'h'), existing);
  });

  test('connectionDetail words a closed response and falls back to the message', () => {
    assert.equal(connectionDetail(sysErr('ECONNRESET', undefined, 'aborted')), 'connection closed mid-response');
    assert.equal(connectionDetail(new Error('weird')), 'weird');
  });
});

describe('engineCalls', () => {
  const refused = Object.assign(new Error('connect ECONNREFUSED /var/run/docker.sock'), { code: 'ECONNREFUSED', syscall: 'connect' });
  const call = engineCalls(async () => 'client', 'unix:///var/run/docker.sock');

  test('hands the client to the work and returns its answer', async () => {
    assert.equal(await call(async (c) => `${c} answered`), 'client answered');
  });

  test("lets porter's own errors through unchanged (a push failure is not the engine going away)", async () => {
    const own = new PushFailure('denied: requested access to the resource is denied');
    await assert.rejects(call(async () => { throw own; }), (err) => err === own);
  });

  test('turns a connection failure into EngineError: unreachable, or went away during a named operation', async () => {
    await assert.rejects(call(async () => { throw refused; }), (err) => err instanceof EngineError && /Cannot reach the Docker engine at unix:\/\/\/var\/run\/docker\.sock/.test(err.message));
    await assert.rejects(call(async () => { throw refused; }, 'a container was running'), (err) => err instanceof EngineError && /went away while a container was running/.test(err.message));
  });
});
