/**
 * The first-party plugins of plugins/ (http-check, webhook-notify, build-info), used as any service uses them:
 * `repo:` a clone of this repository at a tag, `dockerfile: plugins/<name>/Dockerfile`, through the CLI.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { recordProvision } from '../../src/phases/state.js';
import { describeDocker, removeTempDirs, sweepAfterSuite, tempDir, uniqueRunId } from '../helpers/docker.js';
import { engineApi } from '../helpers/engine-api.js';
import { firstPartyPluginsRepo } from '../helpers/first-party-plugins.js';
import { HOOK, hookRepo, readRepoFile, shortSha } from '../helpers/hook-repo.js';
import { failureText, hookLines, runPorter, summaryRow } from '../helpers/porter-cli.js';

const service = uniqueRunId();
const labels = { 'porter.service': service };
const TAG = 'v0.0.0-test';
const STAGE = 'environments:\n- name: Stage\n  regions:\n  - name: local\n';

let pluginUrl = '';
let gateway = '';

interface Received {
  method: string;
  path: string;
  contentType: string;
  body: string;
}

/** A small HTTP server the hooks talk to, on `host`: records each request, answers per path (see `answer`). */
async function startServer(host: string): Promise<{ url: string; requests: Received[]; stop(): Promise<void> }> {
  const requests: Received[] = [];
  const hits = new Map<string, number>();
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '/';
      requests.push({ method: req.method ?? '', path, contentType: req.headers['content-type'] ?? '', body: Buffer.concat(chunks).toString('utf8') });
      const n = (hits.get(path) ?? 0) + 1;
      hits.set(path, n);
      if (path.startsWith('/slow')) return; // never answers: the client's timeout must end the request
      const status = path.startsWith('/error') ? 500 : path.startsWith('/flaky') && n < 3 ? 503 : 200;
      res.writeHead(status, { 'Content-Type': 'text/plain' }).end(status === 200 ? 'ok\n' : 'not yet\n');
    });
  });
  server.listen(0, host);
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://${host}:${port}`,
    requests,
    stop: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

/**
 * The address of the host on Docker's default bridge (docker0's, usually 172.17.0.1): a hook container on that
 * network reaches a server the test binds there, where 127.0.0.1 would be the container itself. The engine's
 * IPAM gateway, else the first address of its subnet, which is what Docker gives docker0 when none is set.
 */
async function bridgeGateway(): Promise<string> {
  const bridge = await engineApi('GET', '/networks/bridge');
  const config = (bridge.body as { IPAM?: { Config?: { Gateway?: string; Subnet?: string }[] } }).IPAM?.Config ?? [];
  const gatewayIp = config.find((c) => c.Gateway && !c.Gateway.includes(':'))?.Gateway;
  if (gatewayIp) return gatewayIp;
  const subnet = config.find((c) => /^\d+\.\d+\.\d+\.\d+\/\d+$/.test(c.Subnet ?? ''))?.Subnet;
  assert.ok(subnet, `the default bridge has neither an IPv4 gateway nor an IPv4 subnet: ${JSON.stringify(config)}`);
  const [a = 0, b = 0, c = 0, d = 0] = (subnet.split('/')[0] ?? '').split('.').map(Number);
  const first = ((((a << 24) | (b << 16) | (c << 8) | d) >>> 0) + 1) >>> 0;
  return [24, 16, 8, 0].map((shift) => (first >>> shift) & 255).join('.');
}

/** A first-party plugin hook as YAML lines of a list. */
function plugin(name: string, dir: string, fields: Record<string, string | boolean | string[]> = {}, env: Record<string, string | null> = {}): string {
  const lines = [`  - name: ${name}`, `    repo: ${pluginUrl}`, `    ref: ${TAG}`, `    dockerfile: plugins/${dir}/Dockerfile`];
  for (const [k, v] of Object.entries(fields)) lines.push(`    ${k}: ${Array.isArray(v) ? `[${v.join(', ')}]` : typeof v === 'string' ? JSON.stringify(v) : String(v)}`);
  if (Object.keys(env).length > 0) lines.push('    environment:', ...Object.entries(env).map(([k, v]) => `      ${k}:${v === null ? '' : ` ${JSON.stringify(v)}`}`));
  return lines.join('\n');
}

const config = (lists: Record<string, string[]>, extra = ''): string =>
  `service_name: ${service}\nhooks:\n${Object.entries(lists).map(([name, hooks]) => `  ${name}:\n${hooks.join('\n')}`).join('\n')}\n${extra}`;

after(() => removeTempDirs());

await describeDocker('first-party plugins from this repository', () => {
  before(async () => {
    // This repository as a service would clone it: a tagged commit holding plugins/ as it is in the working tree now.
    pluginUrl = await firstPartyPluginsRepo(TAG);
    gateway = await bridgeGateway();
  });

  sweepAfterSuite(labels);

  test('http-check passes once the URL answers 2xx, polling; fails with the last error on 500 and on no answer', { timeout: 120_000 }, async () => {
    const server = await startServer(gateway);
    // The never-answering endpoint gets a server of its own, so its held connections cannot slow the others.
    const silentServer = await startServer(gateway);
    try {
      const check = (name: string, url: string, env: Record<string, string>): string =>
        plugin(name, 'http-check', { concurrent: true }, { CHECK_URL: url, CHECK_INTERVAL: '1', ...env });
      const repo = await hookRepo(config({
        checks: [
          check('flaky', `${server.url}/flaky`, { CHECK_TIMEOUT: '90' }),
          check('error', `${server.url}/error`, { CHECK_TIMEOUT: '3' }),
          check('silent', `${silentServer.url}/slow`, { CHECK_TIMEOUT: '3', CHECK_REQUEST_TIMEOUT: '1' }),
        ],
      }));
      const r = await runPorter(repo, ['build', 'hook', '-name', 'checks'], { XDG_CACHE_HOME: await tempDir('porter-plugin-cache-test-') });
      assert.equal(r.code, 1, r.stdout + r.stderr);
      assert.deepEqual(['flaky', 'error', 'silent'].map((h) => summaryRow(r.stdout, `checks ${h}`)?.status), ['passed', 'failed', 'failed'], r.stdout + r.stderr);
      // Two 503s, then the 200 that ends the polling: every attempt reached the server, also while the other two
      // hooks' containers went away (scripts/setup-docker pins docker0's MAC address so their removal cannot
      // take the gateway's address away from this container, which once cost attempts here).
      assert.equal(server.requests.filter((q) => q.path === '/flaky').length, 3, r.stdout + JSON.stringify(server.requests.map((q) => q.path)));
      assert.match(hookLines(r.stdout, 'checks flaky').at(-1) ?? '', new RegExp(`^http-check: ${server.url}/flaky answered 2xx after 3 attempt\\(s\\) in \\d+s$`), r.stdout);
      assert.match(failureText(r.stdout, 'checks error'), /http-check: .*\/error did not answer 2xx within 3s \(\d+ attempt\(s\)\); last error: server returned error: HTTP\/1\.1 500 Internal Server Error/);
      assert.match(failureText(r.stdout, 'checks silent'), /http-check: .*\/slow did not answer 2xx within 3s \(\d+ attempt\(s\)\); last error: no answer within 1s/);
    } finally {
      await server.stop();
      await silentServer.stop();
    }
  });

  test('http-check defaults to PORTER_STACK_URL + CHECK_PATH: the stack a provision recorded on 127.0.0.1', { timeout: 60_000 }, async () => {
    const server = await startServer('127.0.0.1');
    try {
      const repo = await hookRepo(config({ smoke: [plugin('check', 'http-check', {}, { CHECK_PATH: '/health', CHECK_TIMEOUT: '20' })] }, STAGE));
      // What `build provision -e Stage` leaves for a later CI job on the same workspace.
      await recordProvision(join(repo, '.porter-tmp'), {
        environment: 'Stage', stackId: 's1', version: shortSha(repo), created: new Date().toISOString(),
        regions: [{ region: 'local', stackId: 's1', url: server.url, containers: [] }],
      });
      const r = await runPorter(repo, ['build', 'hook', '-name', 'smoke', '-e', 'Stage'], { XDG_CACHE_HOME: await tempDir('porter-plugin-cache-test-') });
      assert.equal(r.code, 0, r.stdout + r.stderr);
      const lines = hookLines(r.stdout, 'smoke check');
      assert.equal(lines.length, 2, lines.join('\n'));
      assert.equal(lines[0], `http-check: waiting up to 20s for ${server.url}/health to answer 2xx`);
      assert.match(lines[1] ?? '', new RegExp(`^http-check: ${server.url}/health answered 2xx after 1 attempt\\(s\\) in \\d+s$`));
      assert.deepEqual(server.requests.map((q) => `${q.method} ${q.path}`), ['GET /health']);
    } finally {
      await server.stop();
    }
  });

  test('webhook-notify POSTs the JSON message; as an always hook its status is the list\'s (PORTER_HOOK_STATUS)', { timeout: 120_000 }, async () => {
    const server = await startServer(gateway);
    try {
      const tricky = 'deploy "blue" \\ done\nsecond line\ttab';
      const notify = (name: string, path: string, fields: Record<string, string> = {}, env: Record<string, string> = {}): string =>
        plugin(name, 'webhook-notify', { ...fields, secrets: ['WEBHOOK_URL'] }, { WEBHOOK_URL: `${server.url}${path}`, ...env });
      const repo = await hookRepo(config({
        notify: [
          notify('before', '/hook/before-tok3n'),
          `  - dockerfile: ${HOOK.exit3}\n    name: breaks`,
          notify('after', '/hook/after', { run_condition: 'always' }),
          notify('custom', '/hook/custom', { run_condition: 'always' }, { NOTIFY_STATUS: 'deployed', NOTIFY_TEXT: tricky }),
          notify('refused', '/error', { run_condition: 'always' }),
        ],
      }, STAGE));
      const r = await runPorter(repo, ['build', 'hook', '-name', 'notify', '-e', 'Stage'], { XDG_CACHE_HOME: await tempDir('porter-plugin-cache-test-') });
      assert.equal(r.code, 1, r.stdout + r.stderr);
      assert.deepEqual(['before', 'breaks', 'after', 'custom', 'refused'].map((h) => summaryRow(r.stdout, `notify ${h} (local)`)?.status), ['passed', 'failed', 'passed', 'passed', 'failed']);
      const posted = server.requests.filter((q) => q.path.startsWith('/hook/'));
      assert.deepEqual(posted.map((q) => `${q.method} ${q.path} ${q.contentType}`), [
        'POST /hook/before-tok3n application/json', 'POST /hook/after application/json', 'POST /hook/custom application/json',
      ]);
      const version = shortSha(repo);
      const message = (status: string, text: string): Record<string, unknown> => ({ service, version, hook: 'notify', status, environment: 'Stage', region: 'local', text });
      assert.deepEqual(posted.map((q) => JSON.parse(q.body) as unknown), [
        message('passed', `${service} ${version}: notify passed in Stage/local`),
        message('failed', `${service} ${version}: notify failed in Stage/local`),
        message('deployed', 'deploy "blue" \\ done\nsecond line\ttab'),
      ]);
      assert.deepEqual(hookLines(r.stdout, 'notify after'), [`webhook-notify: posted status failed of notify to ${server.url}`]);
      assert.match(failureText(r.stdout, 'notify refused (local)'), /webhook-notify: POST to http:\/\/[\d.]+:\d+ failed: server returned error: HTTP\/1\.1 500 Internal Server Error/);
      assert.equal(r.stdout.includes('tok3n'), false, 'the webhook URL (a secret) was printed');
    } finally {
      await server.stop();
    }
  });

  test('build-info writes the build\'s JSON into the repo, BUILD_INFO_* as extra fields, escaped', { timeout: 60_000 }, async () => {
    const note = 'said "hi" \\ then\nleft';
    const repo = await hookRepo(config({
      info: [
        plugin('info', 'build-info', {}, { BUILD_INFO_PATH: 'out/meta/info.json', BUILD_INFO_TICKET: 'OPS-12', BUILD_INFO_NOTE: note, BUILD_INFO_FROM_HOST: null }),
        plugin('default-path', 'build-info'),
      ],
    }));
    const started = Date.now();
    const r = await runPorter(repo, ['build', 'hook', '-name', 'info'], { XDG_CACHE_HOME: await tempDir('porter-plugin-cache-test-'), BUILD_INFO_FROM_HOST: 'pipeline-7' });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.deepEqual(hookLines(r.stdout, 'info info'), ['build-info: wrote out/meta/info.json']);
    const info = JSON.parse((await readRepoFile(repo, 'out/meta/info.json')) ?? 'null') as Record<string, unknown>;
    const { time, ...rest } = info;
    assert.deepEqual(rest, {
      service, version: shortSha(repo), hook: 'info', environment: null, region: null, stack_id: null,
      extra: { from_host: 'pipeline-7', note: 'said "hi" \\ then\nleft', ticket: 'OPS-12' },
    });
    assert.match(String(time), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.ok(Math.abs(Date.parse(String(time)) - started) < 10 * 60_000, `time ${String(time)} is not this run's`);
    const plain = JSON.parse((await readRepoFile(repo, 'build-info.json')) ?? 'null') as Record<string, unknown>;
    assert.deepEqual(plain.extra, {});
    assert.equal(plain.hook, 'info');
  });
});
