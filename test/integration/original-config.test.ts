import assert from 'node:assert/strict';
import { cp, mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, test } from 'node:test';
import { Label } from '../../src/docker/labels.js';
import { assertNothingLeft, describeDocker, removeTempDirs, sweep, tempDir, uniqueRunId } from '../helpers/docker.js';
import { commitAll } from '../helpers/phase-repo.js';
import { runPorter } from '../helpers/porter-cli.js';

const fixtures = fileURLToPath(new URL('../fixtures/original/', import.meta.url));
/** The integration config's slack URLs that must be set (the rest default to empty). */
const SLACK_ENV = { SLACK_PACK_SUCCESS: 'https://hooks.slack.invalid/services/T0/B0/pass-token', SLACK_PACK_FAILURE: 'https://hooks.slack.invalid/services/T0/B0/fail-token' };

after(removeTempDirs);

/** A copy of one of the original-shaped fixtures in a temp repo, `SERVICE` replaced by `service`; `edit` changes its config text. */
async function originalRepo(name: 'sample-project' | 'integration', service: string, edit: (text: string) => string = (t) => t, opts: { git?: boolean } = {}): Promise<string> {
  const dir = await tempDir('porter-test-');
  await cp(join(fixtures, name), dir, { recursive: true });
  const file = join(dir, '.porter/config');
  await writeFile(file, edit((await readFile(file, 'utf8')).replace('service_name: SERVICE', `service_name: ${service}`)));
  await writeFile(join(dir, '.dockerignore'), '.porter-tmp\n');
  if (opts.git) commitAll(dir, 'first');
  return dir;
}

describe('an original porter config loads unchanged', () => {
  test('the sample project: exit 0, one warning naming each AWS-only key with file:line, values never expanded', { timeout: 30_000 }, async () => {
    const repo = await originalRepo('sample-project', 'PorterSample');
    // ${DEPLOYMENT_ROLE_ARN} is set nowhere: under role_arn it is never expanded, so it is no error.
    const out = await runPorter(repo, ['config', 'validate'], { DEPLOYMENT_ROLE_ARN: undefined });
    assert.equal(out.code, 0, out.stderr);
    assert.match(out.stdout, /\.porter\/config: valid \(service PorterSample, 2 hook lists, 1 environment\)/);
    // One warning, on stderr: stdout keeps only the result.
    const warnings = out.stderr.split('\n').filter((l) => /keys? of the original porter/.test(l));
    assert.equal(warnings.length, 1, out.stdout + out.stderr);
    assert.doesNotMatch(out.stdout, /original porter/);
    for (const named of ['.porter/config:15 environments[0].stack_definition_path', '.porter/config:16 environments[0].role_arn', '.porter/config:18 environments[0].instance_type',
      '.porter/config:21 environments[0].regions[0].vpc_id', '.porter/config:25 environments[0].regions[0].elb', '.porter/config:26 environments[0].regions[0].azs']) {
      assert.ok(warnings[0]?.includes(named), `${named} not in: ${warnings[0]}`);
    }
    assert.match(warnings[0] ?? '', /^warning: 9 keys of the original porter are ignored on Docker/);
  });

  test('the integration config: _ anchors and merges, several containers, slack, ec2_bootstrap named as not run on Docker', { timeout: 30_000 }, async () => {
    const repo = await originalRepo('integration', 'integ');
    const out = await runPorter(repo, ['config', 'validate'], SLACK_ENV);
    assert.equal(out.code, 0, out.stderr);
    assert.match(out.stdout + out.stderr, /7 keys of the original porter are ignored on Docker.*:19 environments\[0\]\.regions\[0\]\.role_arn.*src_env_file\.s3_bucket.*environments\[0\]\.haproxy/);
    assert.match(out.stdout + out.stderr, /hooks\.ec2_bootstrap is not run by any phase on Docker/);
    assert.ok(!(out.stdout + out.stderr).includes('pass-token'), 'a Slack URL is a secret');
    const plan = await runPorter(repo, ['build', 'provision', '-e', 'CI', '--dry-run'], SLACK_ENV);
    assert.equal(plan.code, 0, plan.stderr);
    assert.match(plan.stdout, /hooks\.ec2_bootstrap is not run by any phase on Docker/);
  });

  test('--strict refuses the AWS-only keys (exit 2); a key neither porter nor the original knows is still an error with a suggestion', { timeout: 30_000 }, async () => {
    const repo = await originalRepo('sample-project', 'PorterSample');
    const strict = await runPorter(repo, ['config', 'validate', '--strict']);
    assert.equal(strict.code, 2);
    assert.match(strict.stderr, /\.porter\/config:16: environments\[0\]\.role_arn: is a key of the original porter that does nothing on Docker/);
    const typo = await originalRepo('sample-project', 'PorterSample', (t) => t.replace('  role_arn:', '  rol_arn:'));
    const out = await runPorter(typo, ['config', 'validate']);
    assert.equal(out.code, 2);
    assert.match(out.stderr, /\.porter\/config:16: environments\[0\]\.rol_arn: unknown key "rol_arn"; did you mean role_arn\?/);
    const cron = await originalRepo('integration', 'integ', (t) => t.replace('  topology: worker', '  topology: cron'));
    const refused = await runPorter(cron, ['config', 'validate'], SLACK_ENV);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /topology: cron is not a topology porter runs: the original porter documented it but never implemented it/);
  });
});

describe('blackout windows', () => {
  const active = (t: string): string => t.replace('start_time: 2015-01-02T15:04:05Z', 'start_time: 2000-01-01T00:00:00Z').replace('end_time: 2015-01-03T15:04:05Z', 'end_time: 2999-01-01T00:00:00Z');

  test('a command naming the environment inside a window exits 1 before any hook, naming the window; a past window blocks nothing', { timeout: 30_000 }, async () => {
    const repo = await originalRepo('integration', 'integ', active);
    for (const args of [['build', 'hook', '-name', 'pre_hotswap', '-e', 'Stage'], ['build', 'provision', '-e', 'Stage'], ['build', 'promote', '-e', 'Stage'], ['build', 'prune', '-e', 'Stage'], ['build', 'rollback', '-e', 'Stage'], ['build', 'teardown', '-e', 'Stage']]) {
      const out = await runPorter(repo, args, SLACK_ENV);
      assert.equal(out.code, 1, `${args.join(' ')}: ${out.stdout}${out.stderr}`);
      assert.match(out.stderr, /Environment Stage is in a blackout window \(2000-01-01T00:00:00Z to 2999-01-01T00:00:00Z, \.porter\/config line \d+\)/);
      assert.doesNotMatch(out.stdout, /pre_pack ran/);
    }
    const past = await originalRepo('integration', 'integ');
    const dry = await runPorter(past, ['build', 'hook', '-name', 'pre_hotswap', '-e', 'Stage', '--dry-run'], SLACK_ENV);
    assert.equal(dry.code, 0, dry.stderr);
  });

  test('an unparseable or inverted window counts as active and validate warns; a window in the packed .porter-tmp/config counts too', { timeout: 30_000 }, async () => {
    const inverted = await originalRepo('integration', 'integ', (t) => t.replace('start_time: 2015-01-02T15:04:05Z', 'start_time: 2015-01-04T15:04:05Z'));
    const validate = await runPorter(inverted, ['config', 'validate'], SLACK_ENV);
    assert.equal(validate.code, 0, validate.stderr);
    assert.match(validate.stdout + validate.stderr, /a blackout window of Stage: start_time 2015-01-04T15:04:05Z is after end_time 2015-01-03T15:04:05Z\. As in the original porter, such a window counts as active/);
    const blocked = await runPorter(inverted, ['build', 'hook', '-name', 'pre_hotswap', '-e', 'Stage'], SLACK_ENV);
    assert.equal(blocked.code, 1);
    assert.match(blocked.stderr, /so porter treats the window as active/);
    const garbled = await originalRepo('integration', 'integ', (t) => t.replace('end_time: 2015-01-03T15:04:05Z', 'end_time: next tuesday'));
    const out = await runPorter(garbled, ['build', 'hook', '-name', 'pre_hotswap', '-e', 'Stage'], SLACK_ENV);
    assert.equal(out.code, 1);
    assert.match(out.stderr, /end_time "next tuesday" is not an RFC 3339 time/);

    const packed = await originalRepo('integration', 'integ');
    await mkdir(join(packed, '.porter-tmp'));
    await writeFile(join(packed, '.porter-tmp/config'), active(await readFile(join(packed, '.porter/config'), 'utf8')));
    const fromPacked = await runPorter(packed, ['build', 'hook', '-name', 'pre_hotswap', '-e', 'Stage'], SLACK_ENV);
    assert.equal(fromPacked.code, 1, fromPacked.stdout + fromPacked.stderr);
    assert.match(fromPacked.stderr, /Environment Stage is in a blackout window .*\.porter-tmp\/config line \d+/);
  });
});

interface Received {
  path: string;
  contentType: string | undefined;
  body: unknown;
}

/** A real HTTP server on 127.0.0.1 standing in for Slack: it records each request and answers 200. */
async function slackServer(): Promise<{ base: string; received: Received[]; close(): Promise<void> }> {
  const received: Received[] = [];
  const read = async (req: IncomingMessage): Promise<string> => {
    let text = '';
    for await (const chunk of req) text += String(chunk);
    return text;
  };
  const server = createServer((req, res) => {
    void read(req).then((text) => {
      received.push({ path: req.url ?? '', contentType: req.headers['content-type'], body: JSON.parse(text) as unknown });
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { base: `http://127.0.0.1:${port}`, received, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

void describeDocker('an original config on Docker', (engine) => {
  test('slack: one POST per pack result to its webhook, naming the failed hook; a dead webhook is a warning; the URLs never shown', { timeout: 240_000 }, async () => {
    const service = uniqueRunId();
    const labels = { [Label.service]: service };
    const slack = await slackServer();
    try {
      const repo = await originalRepo('integration', service, (t) => t, { git: true });
      const env = { SLACK_PACK_SUCCESS: `${slack.base}/services/T0/B0/pass-token`, SLACK_PACK_FAILURE: `${slack.base}/services/T0/B0/fail-token` };
      const pack = await runPorter(repo, ['build', 'pack'], env);
      assert.equal(pack.code, 0, pack.stdout + pack.stderr);
      assert.equal(slack.received.length, 1);
      const [passed] = slack.received;
      assert.equal(passed?.path, '/services/T0/B0/pass-token');
      assert.equal(passed?.contentType, 'application/json');
      const version = JSON.parse(await readFile(join(repo, '.porter-tmp/manifest.json'), 'utf8')).version as string;
      assert.deepEqual(passed?.body, { text: `porter: pack of ${service} ${version} succeeded.` });

      const failing = await runPorter(repo, ['build', 'pack'], { ...env, FAIL_PRE_PACK: '3' });
      assert.equal(failing.code, 1);
      assert.equal(slack.received.length, 2);
      assert.equal(slack.received[1]?.path, '/services/T0/B0/fail-token');
      assert.deepEqual(slack.received[1]?.body, { text: `porter: pack of ${service} ${version} failed: failed hook pre_pack pre_pack[0].` });

      const dead = await runPorter(repo, ['build', 'pack'], { ...env, SLACK_PACK_SUCCESS: 'http://127.0.0.1:9/services/T0/B0/dead-token' });
      assert.equal(dead.code, 0, dead.stdout + dead.stderr);
      assert.match(dead.stdout + dead.stderr, /The Slack webhook slack\.pack_success_webhook_url was not notified: it could not be reached\. The phase's result stands/);
      for (const out of [pack, failing, dead]) assert.doesNotMatch(out.stdout + out.stderr, /-token/);
      await runPorter(repo, ['build', 'clean'], env);
    } finally {
      await slack.close();
      await sweep(labels);
    }
    await assertNothingLeft(labels);
  });

  test('validate_build_args_exist: pack exits 2 naming each ARG without a value, before building anything', { timeout: 120_000 }, async () => {
    const service = uniqueRunId();
    const labels = { [Label.service]: service };
    try {
      const repo = await originalRepo('integration', service, (t) => t.replace('    name: queue_worker\n', '    name: queue_worker\n    validate_build_args_exist: true\n'), { git: true });
      await writeFile(join(repo, 'Dockerfile.worker'), 'FROM busybox:latest\nARG RELEASE_CHANNEL\nARG GIVEN\nARG DEFAULTED=1\nCMD ["sleep", "60"]\n');
      commitAll(repo, 'args');
      const pack = await runPorter(repo, ['build', 'pack'], { ...SLACK_ENV, GIVEN: 'yes' });
      assert.equal(pack.code, 2, pack.stdout + pack.stderr);
      assert.match(pack.stderr, /validate_build_args_exist: these build args have no value .*: Dockerfile\.worker of container queue_worker: RELEASE_CHANNEL\. /);
      assert.equal((await engine.findImages({ ...labels, [Label.container]: 'web' })).length, 0, 'nothing was built');
    } finally {
      await sweep(labels);
    }
    await assertNothingLeft(labels);
  });

  test('the sample project: the default primary inet container on its single EXPOSEd port, instance_count replicas, an upper-case service name', { timeout: 240_000 }, async () => {
    const service = `T${uniqueRunId().slice(1)}`;
    const labels = { [Label.service]: service };
    try {
      // A pre_promote hook that takes long enough for a freeze to begin: it makes the window current.
      const freeze = (t: string): string => t
        .replace('  post_provision:', '  pre_promote:\n  - dockerfile: .porter/hooks/freeze\n  post_provision:')
        .replace('  instance_count: 2\n', '  instance_count: 2\n  blackout_windows:\n  - {start_time: 2015-01-02T15:04:05Z, end_time: 2015-01-03T15:04:05Z}\n');
      const repo = await originalRepo('sample-project', service, freeze, { git: true });
      const config = await readFile(join(repo, '.porter/config'), 'utf8');
      assert.match(config, /pre_promote:[\s\S]*blackout_windows:/);
      await writeFile(join(repo, '.porter/hooks/freeze'), [
        'FROM busybox:latest',
        `CMD ["sh", "-c", "sed -i 's/2015-01-02T15:04:05Z/2000-01-01T00:00:00Z/; s/2015-01-03T15:04:05Z/2999-01-01T00:00:00Z/' /repo_root/.porter/config && echo frozen"]`,
        '',
      ].join('\n'));
      commitAll(repo, 'freeze hook');
      const pack = await runPorter(repo, ['build', 'pack']);
      assert.equal(pack.code, 0, pack.stdout + pack.stderr);
      const manifest = JSON.parse(await readFile(join(repo, '.porter-tmp/manifest.json'), 'utf8')) as { images: { container: string; tag: string; inetPort?: number }[] };
      assert.deepEqual(manifest.images.map((i) => [i.container, i.tag.split(':')[0], i.inetPort]), [['primary', `${service.toLowerCase()}-primary`, 8080]]);
      const provision = await runPorter(repo, ['build', 'provision', '-e', 'Stage']);
      assert.equal(provision.code, 0, provision.stdout + provision.stderr);
      const url = /Stack \S+ is up in region us-west-2 of Stage: (http:\/\/127\.0\.0\.1:\d+)/.exec(provision.stdout)?.[1];
      assert.ok(url, provision.stdout);
      assert.equal(await (await fetch(`${url}/health`)).text(), 'ok\n');
      // The name keeps its case in labels; Docker names are lower-case. instance_count: 2 is two replicas.
      const running = await engine.listContainers({ ...labels, [Label.environment]: 'Stage' });
      assert.deepEqual(running.map((c) => c.name.replace(/^\//, '').replace(/-[^-]+-[^-]+-us-west-2-/, '-<stack>-')).sort(), [`${service.toLowerCase()}-<stack>-primary-1`, `${service.toLowerCase()}-<stack>-primary-2`]);
      assert.ok(running.every((c) => c.labels[Label.service] === service && c.labels[Label.container] === 'primary'));
      // promote checks the windows again right before the alias switch: the hook's freeze stops it.
      const promote = await runPorter(repo, ['build', 'promote', '-e', 'Stage']);
      assert.equal(promote.code, 1, promote.stdout + promote.stderr);
      assert.match(promote.stdout, /frozen/);
      assert.match(promote.stderr, /Environment Stage is in a blackout window \(2000-01-01T00:00:00Z to 2999-01-01T00:00:00Z, \.porter\/config line \d+\)/);
      assert.doesNotMatch(promote.stdout, /Promoted stack/);
      const aliased = await engine.listContainers({ ...labels, [Label.environment]: 'Stage' });
      assert.ok(aliased.every((c) => Object.values(c.networks).every((a) => !a.includes(service))), 'the alias was not switched');
      await writeFile(join(repo, '.porter/config'), config);
      const prune = await runPorter(repo, ['build', 'prune', '-e', 'Stage']);
      assert.equal(prune.code, 0, prune.stdout + prune.stderr);
      await runPorter(repo, ['build', 'clean']);
    } finally {
      await sweep(labels);
    }
    await assertNothingLeft(labels);
  });
});
