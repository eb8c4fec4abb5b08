import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { makeLookup } from '../../src/config/expand.js';
import { ignoredKeysWarning } from '../../src/config/ignored-keys.js';
import { parseConfigText } from '../../src/config/parse.js';
import type { BlackoutWindow, EnvironmentConfig } from '../../src/config/types.js';
import { activeWindow, assertNoBlackout, BlackoutError, parseWindowTime, windowDefect } from '../../src/phases/blackout.js';
import { withPackedPorts } from '../../src/phases/provision.js';
import { slackText, webhookFor } from '../../src/phases/slack.js';
import { configProblems, DOCKERFILE, problemAt, removeTempRepos, tempRepo } from '../fixtures/config/temp-repo.js';

after(removeTempRepos);

const parse = (text: string, repo: string, strict = false) => parseConfigText(text, '.porter/config', repo, makeLookup({}, {}), { strict });

describe("the original porter's keys", () => {
  it('are kept as written inside an ignored key, even through a _ anchor merged into a region, and named once per line', async () => {
    const repo = await tempRepo({ Dockerfile: DOCKERFILE });
    const config = await parse([
      'service_name: Legacy',
      '_region_base: &base',
      '  role_arn: ${UNSET_ROLE}',
      '  haproxy:',
      '    timeout: ${ALSO_UNSET}',
      'environments:',
      '- name: Stage',
      '  regions:',
      '  - name: a',
      '    <<: *base',
      '  - name: b',
      '    <<: *base',
    ].join('\n'), repo);
    assert.deepEqual(config.ignoredKeys.map((k) => [k.key, k.line]), [['role_arn', 3], ['haproxy', 4]]);
    assert.equal(config.environments[0]?.regions.length, 2);
    assert.equal(config.serviceName, 'Legacy');
    assert.equal(config.dockerName, 'legacy');
    assert.match(ignoredKeysWarning(config) ?? '', /^2 keys of the original porter are ignored on Docker, their values neither expanded nor checked: \.porter\/config:3 environments\[0\]\.regions\[0\]\.role_arn \(the IAM role porter assumed on AWS\); \.porter\/config:4 /);
  });

  it('are expanded as usual outside ignored keys: an unset variable in a _ anchor is an error where the anchor is used', async () => {
    const repo = await tempRepo({ Dockerfile: DOCKERFILE });
    const unused = await parse(['service_name: s', '_unused: {x: "${NOT_SET}"}'].join('\n'), repo);
    assert.equal(unused.serviceName, 's');
    const found = await configProblems(parse(['service_name: s', '_c: &c {name: web, dockerfile: "${NOT_SET}"}', 'environments:', '- name: Stage', '  regions: [{name: a, containers: [*c]}]'].join('\n'), repo));
    assert.ok(found.some((p) => p.path === 'environments[0].regions[0].containers[0].dockerfile' && p.line === 2 && /\$\{NOT_SET\} is not set/.test(p.message)), JSON.stringify(found));
  });

  it('are errors with strict; a hook environment key named like one (s3_bucket) is an ordinary variable, expanded', async () => {
    const repo = await tempRepo({ Dockerfile: DOCKERFILE, 'h/Dockerfile': DOCKERFILE });
    const found = await configProblems(parse(['service_name: s', 'environments:', '- name: Stage', '  role_arn: x', '  regions: [{name: a}]'].join('\n'), repo, true));
    assert.match(problemAt(found, 'environments[0].role_arn').message, /^is a key of the original porter that does nothing on Docker \(the IAM role porter assumed on AWS\)/);
    const hooks = await parseConfigText(['service_name: s', 'hooks:', '  smoke:', '  - dockerfile: h/Dockerfile', '    environment: {s3_bucket: $B}'].join('\n'), '.porter/config', repo, makeLookup({ B: 'bucket' }, {}));
    assert.deepEqual(hooks.hooks.smoke?.[0]?.environment, [{ key: 's3_bucket', value: 'bucket' }]);
    assert.deepEqual(hooks.ignoredKeys, []);
  });

  it("gives regions the original's containers: their own, else the top-level list, else one primary inet container; instance_count as replicas", async () => {
    const repo = await tempRepo({ Dockerfile: DOCKERFILE, 'Dockerfile.build': DOCKERFILE });
    const config = await parse([
      'service_name: s',
      'containers: [{name: api, inet_port: 9000}, {name: jobs}]',
      'environments:',
      '- name: Stage',
      '  instance_count: 3',
      '  regions:',
      '  - {name: a}',
      '  - {name: b, instance_count: 2, containers: [{inet_port: 80}]}',
      '  - {name: c, containers: []}',
      '- name: Prod',
      '  regions: [{name: a}]',
    ].join('\n'), repo);
    const [stage, prod] = config.environments;
    const shape = (i: number) => stage?.regions[i]?.containers.map((c) => [c.name, c.topology, c.inetPort, c.replicas]);
    assert.deepEqual(shape(0), [['api', 'inet', 9000, 3], ['jobs', 'worker', undefined, 3]]);
    assert.deepEqual(shape(1), [['primary', 'inet', 80, 2]]);
    assert.deepEqual(shape(2), []);
    // Without top-level containers, Prod's region would get the default; here it gets the top-level list.
    assert.deepEqual(prod?.regions[0]?.containers.map((c) => c.name), ['api', 'jobs']);
    const bare = await parse(['service_name: s', 'environments:', '- name: Stage', '  regions: [{name: a}]'].join('\n'), repo);
    assert.deepEqual(bare.environments[0]?.regions[0]?.containers.map((c) => [c.name, c.topology, c.dockerfile, c.dockerfileBuild, c.healthCheck.method, c.healthCheck.path, c.uid, c.readOnly, c.pidsLimit]),
      [['primary', 'inet', 'Dockerfile', 'Dockerfile.build', 'GET', '/health', 65534, true, 4096]]);
  });

  it('needs a name on every container of a list of several; refuses cron', async () => {
    const repo = await tempRepo({ Dockerfile: DOCKERFILE });
    const found = await configProblems(parse(['service_name: s', 'environments:', '- name: Stage', '  regions: [{name: a, containers: [{inet_port: 80}, {name: b, topology: cron}]}]'].join('\n'), repo));
    assert.match(problemAt(found, 'environments[0].regions[0].containers[0].name').message, /only a lone container may leave it out/);
    assert.match(problemAt(found, 'environments[0].regions[0].containers[1].topology').message, /^cron is not a topology porter runs/);
  });
});

describe('blackout windows', () => {
  const w = (startTime: string, endTime: string): BlackoutWindow => ({ startTime, endTime, line: 7 });
  const env = (...windows: BlackoutWindow[]): EnvironmentConfig => ({ name: 'Prod', regions: [], hotSwap: false, blackoutWindows: windows, line: 1 });
  const now = Date.parse('2026-12-24T12:00:00Z');

  it('read RFC 3339 times (Z or an offset, a space or T) and nothing else', () => {
    assert.equal(parseWindowTime('2026-12-24T12:00:00Z'), now);
    assert.equal(parseWindowTime('2026-12-24 13:00:00+01:00'), now);
    for (const bad of ['2026-12-24', '2026-12-24T12:00:00', 'tomorrow', '', '2015-01-02T15:04:05Z07:00']) assert.equal(parseWindowTime(bad), undefined, bad);
  });

  it('are active strictly inside, and always when a time does not parse or the start is after the end (fail closed)', () => {
    assert.equal(activeWindow(env(w('2026-12-24T00:00:00Z', '2026-12-25T00:00:00Z')), now)?.window.line, 7);
    assert.equal(activeWindow(env(w('2026-12-24T12:00:00Z', '2026-12-25T00:00:00Z')), now), undefined);
    assert.equal(activeWindow(env(w('2026-12-20T00:00:00Z', '2026-12-21T00:00:00Z')), now), undefined);
    assert.match(activeWindow(env(w('2026-12-25T00:00:00Z', '2026-12-20T00:00:00Z')), now)?.why ?? '', /is after end_time/);
    assert.match(activeWindow(env(w('soon', '2026-12-20T00:00:00Z')), now)?.why ?? '', /start_time "soon" is not an RFC 3339 time/);
    assert.equal(windowDefect(w('2026-12-20T00:00:00Z', '2026-12-21T00:00:00Z')), undefined);
  });

  it('stop a command with exit 1 naming the window, file and line', () => {
    const config = { file: '.porter/config', serviceName: 's', dockerName: 's', hooks: {}, ignoredKeys: [], environments: [env(w('2026-12-24T00:00:00Z', '2026-12-25T00:00:00Z'))] };
    assert.throws(() => assertNoBlackout(config, 'Prod', now), (err: unknown) => err instanceof BlackoutError && err.exitCode === 1 &&
      /^Environment Prod is in a blackout window \(2026-12-24T00:00:00Z to 2026-12-25T00:00:00Z, \.porter\/config line 7\): it is now 2026-12-24T12:00:00\.000Z\./.test(err.message));
    assert.doesNotThrow(() => assertNoBlackout(config, 'Stage', now));
  });
});

describe('slack and ports', () => {
  it('posts each phase result to its webhook; prune has none', () => {
    assert.equal(webhookFor('pack', 'passed'), 'pack_success_webhook_url');
    assert.equal(webhookFor('promote', 'failed'), 'promote_failure_webhook_url');
    assert.equal(webhookFor('prune', 'passed'), undefined);
    assert.equal(slackText({ service: 'S', version: 'abc', phase: 'provision', environment: 'Prod', status: 'failed', failedHooks: ['post_provision smoke'] }),
      'porter: provision of S abc in Prod failed: failed hook post_provision smoke.');
    assert.equal(slackText({ service: 'S', version: 'abc', phase: 'pack', status: 'failed', failedHooks: [] }), 'porter: pack of S abc failed (no hook failed: the pack itself did).');
  });

  it('gives an inet container without inet_port the port its packed image EXPOSEs', () => {
    const c = { name: 'primary', topology: 'inet' as const, dockerfile: 'Dockerfile', healthCheck: { method: 'GET', path: '/health', timeoutMs: 1 }, replicas: 1, uid: 65534, readOnly: true, pidsLimit: 4096, capAdd: [], validateBuildArgsExist: false, line: 1 };
    const env: EnvironmentConfig = { name: 'S', hotSwap: false, blackoutWindows: [], line: 1, regions: [{ name: 'a', orchestrator: 'engine', line: 1, containers: [c, { ...c, name: 'given', inetPort: 81 }] }] };
    const manifest = { service: 's', version: 'v', created: '', images: [{ container: 'primary', tag: 's-primary:v', id: 'x', inetPort: 8080 }, { container: 'given', tag: 's-given:v', id: 'y', inetPort: 9 }] };
    assert.deepEqual(withPackedPorts(env, manifest).regions[0]?.containers.map((x) => x.inetPort), [8080, 81]);
  });
});
