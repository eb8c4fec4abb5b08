import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { test } from 'node:test';
import { checkHostKey } from '../../src/docker/known-hosts.js';

const key = Buffer.from('the server key blob');
const other = Buffer.from('another key blob');
const line = (hosts: string, k: Buffer): string => `${hosts} ssh-ed25519 ${k.toString('base64')}`;
const hashed = (name: string): string => {
  const salt = Buffer.from('0123456789abcdefghij');
  return `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update(name).digest('base64')}`;
};

test('a plain entry, a hashed one and [host]:port all name the host', () => {
  assert.equal(checkHostKey(line('build.example,10.0.0.5', key), 'build.example', 22, key), 'known');
  assert.equal(checkHostKey(line(hashed('build.example'), key), 'build.example', 22, key), 'known');
  assert.equal(checkHostKey(line(hashed('[127.0.0.1]:2222'), key), '127.0.0.1', 2222, key), 'known');
  assert.equal(checkHostKey(line('*.example', key), 'build.example', 22, key), 'known');
});

test('no entry for the host is unknown; entries with other keys are a changed key; a revoked key is refused', () => {
  assert.equal(checkHostKey('', 'build.example', 22, key), 'unknown');
  assert.equal(checkHostKey(line('build.example', key), 'build.example', 2222, key), 'unknown', 'port 2222 is another host entry');
  assert.equal(checkHostKey(line(hashed('other.example'), key), 'build.example', 22, key), 'unknown');
  assert.equal(checkHostKey(`# comment\n${line('build.example', other)}`, 'build.example', 22, key), 'changed');
  assert.equal(checkHostKey(`${line('build.example', other)}\n${line('build.example', key)}`, 'build.example', 22, key), 'known');
  assert.equal(checkHostKey(`@revoked ${line('build.example', key)}\n${line('build.example', key)}`, 'build.example', 22, key), 'changed');
  assert.equal(checkHostKey(line('*.example,!build.example', key), 'build.example', 22, key), 'unknown');
});
