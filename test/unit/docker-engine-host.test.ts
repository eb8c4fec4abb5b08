import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { chooseDockerHost, parseDockerHost, tlsFiles, wantsTls } from '../../src/docker/engine-host.js';
import { labelFilter, labelFilters } from '../../src/docker/labels.js';

describe('chooseDockerHost', () => {
  test('config docker_host, then DOCKER_HOST, then the local socket; blanks do not count', () => {
    assert.equal(chooseDockerHost('unix:///a.sock', { DOCKER_HOST: 'tcp://b:1' }), 'unix:///a.sock');
    assert.equal(chooseDockerHost(undefined, { DOCKER_HOST: 'tcp://b:1' }), 'tcp://b:1');
    assert.equal(chooseDockerHost('  ', { DOCKER_HOST: '' }), 'unix:///var/run/docker.sock');
  });
});

describe('parseDockerHost', () => {
  test('unix sockets need an absolute path', () => {
    assert.deepEqual(parseDockerHost('unix:///run/docker.sock', {}), { kind: 'unix', host: 'unix:///run/docker.sock', socketPath: '/run/docker.sock' });
    assert.match(String(parseDockerHost('unix://docker.sock', {})), /absolute socket path/);
  });

  test('tcp defaults to 2375, or https on 2376 when TLS is asked for or the port is 2376', () => {
    assert.deepEqual(parseDockerHost('tcp://10.0.0.5', {}), { kind: 'tcp', host: 'tcp://10.0.0.5', protocol: 'http', hostname: '10.0.0.5', port: 2375 });
    assert.deepEqual(parseDockerHost('tcp://h:2376', {}), { kind: 'tcp', host: 'tcp://h:2376', protocol: 'https', hostname: 'h', port: 2376 });
    assert.deepEqual(parseDockerHost('tcp://h', { DOCKER_TLS_VERIFY: '1' }), { kind: 'tcp', host: 'tcp://h', protocol: 'https', hostname: 'h', port: 2376 });
    assert.equal((parseDockerHost('tcp://h:1234', { DOCKER_TLS_VERIFY: '0' }) as { protocol: string }).protocol, 'http');
  });

  test('http(s):// keep their scheme; a bare host:port is tcp; IPv6 brackets are dropped', () => {
    assert.deepEqual(parseDockerHost('https://docker.example:8443', {}), { kind: 'tcp', host: 'https://docker.example:8443', protocol: 'https', hostname: 'docker.example', port: 8443 });
    assert.deepEqual(parseDockerHost('localhost:2375', {}), { kind: 'tcp', host: 'tcp://localhost:2375', protocol: 'http', hostname: 'localhost', port: 2375 });
    assert.equal((parseDockerHost('tcp://[::1]:2375', {}) as { hostname: string }).hostname, '::1');
  });

  test('ssh://[user@]host[:port], port 22 by default', () => {
    assert.deepEqual(parseDockerHost('ssh://me@host', {}), { kind: 'ssh', host: 'ssh://me@host', user: 'me', hostname: 'host', port: 22 });
    assert.deepEqual(parseDockerHost('ssh://build.example:2222', {}), { kind: 'ssh', host: 'ssh://build.example:2222', hostname: 'build.example', port: 2222 });
  });

  test('anything else is a reason, not an endpoint', () => {
    for (const value of ['ssh://', 'npipe:////./pipe/docker_engine', 'fd://', 'tcp://']) {
      assert.equal(typeof parseDockerHost(value, {}), 'string', value);
    }
  });
});

describe('TLS from the environment', () => {
  test('wantsTls reads DOCKER_TLS_VERIFY and DOCKER_TLS like the docker CLI', () => {
    assert.equal(wantsTls({}), false);
    assert.equal(wantsTls({ DOCKER_TLS_VERIFY: '' }), false);
    assert.equal(wantsTls({ DOCKER_TLS_VERIFY: '0' }), false);
    assert.equal(wantsTls({ DOCKER_TLS_VERIFY: '1' }), true);
    assert.equal(wantsTls({ DOCKER_TLS: 'true' }), true);
  });

  test('tlsFiles names ca/cert/key under DOCKER_CERT_PATH, for https endpoints only', () => {
    const https = parseDockerHost('tcp://h:2376', {});
    const http = parseDockerHost('tcp://h:2375', {});
    assert.ok(typeof https !== 'string' && typeof http !== 'string');
    assert.deepEqual(tlsFiles(https, { DOCKER_CERT_PATH: '/certs' }), { ca: '/certs/ca.pem', cert: '/certs/cert.pem', key: '/certs/key.pem' });
    assert.equal(tlsFiles(https, {}), undefined);
    assert.equal(tlsFiles(http, { DOCKER_CERT_PATH: '/certs' }), undefined);
  });
});

describe('labelFilter', () => {
  test('key=value pairs, sorted, in the shape the engine reads', () => {
    assert.deepEqual(labelFilter({ 'porter.service': 'hello', 'porter.hook': 'lint' }), ['porter.hook=lint', 'porter.service=hello']);
    assert.deepEqual(labelFilters({ 'porter.service': 'hello' }), { label: ['porter.service=hello'] });
  });
});
