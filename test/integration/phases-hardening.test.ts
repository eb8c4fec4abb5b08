import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Label } from '../../src/docker/labels.js';
import { UsageError } from '../../src/errors.js';
import { buildPack } from '../../src/phases/pack.js';
import { buildProvision } from '../../src/phases/provision.js';
import { assertNothingLeft, describeDocker, removeTempDirs, sweep, uniqueRunId } from '../helpers/docker.js';
import { engineApi, engineList, execIn, labelQuery } from '../helpers/engine-api.js';
import { HTTPD_DOCKERFILE, phaseSession, serviceConfig, serviceRepo, type PhaseSession } from '../helpers/phase-repo.js';

const service = uniqueRunId();
const labels = { [Label.service]: service };
const secret = `s3cr3t-${service}`;
let repo = '';

interface Inspected {
  Config: { User: string; Env: string[]; Labels: Record<string, string> };
  HostConfig: { ReadonlyRootfs: boolean; Tmpfs?: Record<string, string> | null; PidsLimit: number; SecurityOpt: string[]; CapDrop: string[]; CapAdd: string[] | null };
}

const region = (...container: string[]): string[] => ['  regions:', '  - name: local', '    containers:', ...container.map((l) => `    ${l}`)];
const srcEnv = (script: string): string => `  src_env_file: {exec_name: sh, exec_args: [${script}]}`;
const environments = [
  '- name: Stage', ...region('- name: web', '  inet_port: 8080', '  health_check: {timeout: 20s}', srcEnv('.porter/env.sh')),
  '- name: Custom', ...region('- name: root', '  dockerfile: Dockerfile', '  inet_port: 8080', '  health_check: {timeout: 20s}', '  uid: 0', '  read_only: false', '  pids_limit: 100', '  cap_add: [NET_BIND_SERVICE, CAP_CHOWN]'),
  // Its container prints the secret and exits: the failure's lines show it masked.
  '- name: Leaky', ...region('- name: leak', '  dockerfile: leak/Dockerfile', '  inet_port: 8080', srcEnv('.porter/env.sh')),
  '- name: Failing', ...region('- name: web', '  inet_port: 8080', srcEnv('.porter/fail.sh')),
  '- name: Malformed', ...region('- name: web', '  inet_port: 8080', srcEnv('.porter/malformed.sh')),
  '',
].join('\n');
const preProvision = '  pre_provision:\n  - name: never\n    dockerfile: .porter/hooks/never/Dockerfile\n';

before(async () => {
  repo = await serviceRepo({
    '.porter/config': serviceConfig(service, preProvision, environments),
    '.porter/hooks/never/Dockerfile': 'FROM busybox:latest\nCMD ["echo", "pre_provision ran"]\n',
    '.porter/env.sh': `# runs in the repo root\ntest -f .porter/config || exit 9\necho "# from the vault"\necho DB_PASSWORD=${secret}\necho 'GREETING="hello world"'\n`,
    '.porter/fail.sh': `echo DB_PASSWORD=${secret}\necho "vault is sealed" >&2\nexit 3\n`,
    '.porter/malformed.sh': `echo A=1\necho B=2\necho "${secret}"\n`,
    '.dockerignore': '.porter-tmp\n',
    Dockerfile: HTTPD_DOCKERFILE,
    'leak/Dockerfile': 'FROM busybox:latest\nCMD ["sh", "-c", "echo the password is $DB_PASSWORD; exit 1"]\n',
  });
  const s = await phaseSession(repo);
  try {
    assert.equal(await buildPack(s.ctx), 'passed');
  } finally {
    await s.ctx.close();
  }
});

after(async () => {
  await sweep(labels);
  await removeTempDirs();
});

async function provision(env: string): Promise<{ value: string; s: PhaseSession }> {
  const s = await phaseSession(repo);
  try {
    return { value: await buildProvision(s.ctx, env), s };
  } finally {
    await s.ctx.close();
  }
}

async function inspectOne(env: string): Promise<{ id: string; info: Inspected; hostPort: number | undefined }> {
  const [c] = await engineList<{ Id: string }>(`/containers/json?all=1&${labelQuery({ ...labels, [Label.environment]: env })}`);
  assert.ok(c, `a container of ${env} exists`);
  const info = (await engineApi('GET', `/containers/${c.Id}/json`)).body as Inspected & { NetworkSettings: { Ports: Record<string, { HostPort: string }[] | null> } };
  const port = info.NetworkSettings.Ports['8080/tcp']?.[0]?.HostPort;
  return { id: c.Id, info, hostPort: port ? Number(port) : undefined };
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

void describeDocker('deployed containers are hardened by default; src_env_file', () => {
  test('default: non-root, read-only root with a tmpfs /tmp, pids limit, no-new-privileges, every capability dropped; src_env_file values in the environment and nowhere else', { timeout: 120_000 }, async () => {
    const { value, s } = await provision('Stage');
    assert.equal(value, 'passed');
    const { id, info, hostPort } = await inspectOne('Stage');
    assert.equal(info.Config.User, '65534');
    assert.equal(info.HostConfig.ReadonlyRootfs, true);
    assert.deepEqual(info.HostConfig.Tmpfs, { '/tmp': 'rw,mode=1777' });
    assert.equal(info.HostConfig.PidsLimit, 4096);
    assert.deepEqual(info.HostConfig.SecurityOpt, ['no-new-privileges:true']);
    assert.deepEqual(info.HostConfig.CapDrop, ['ALL']);
    assert.deepEqual(info.HostConfig.CapAdd ?? [], []);
    const inside = await execIn(id, ['sh', '-c', 'id -u; touch /x 2>/dev/null && echo root-written || echo root-read-only; touch /tmp/x && echo tmp-written; grep CapEff /proc/self/status; echo "$DB_PASSWORD|$GREETING"']);
    assert.deepEqual(inside.output.trim().split(/\r?\n/), ['65534', 'root-read-only', 'tmp-written', 'CapEff:\t0000000000000000', `${secret}|hello world`]);
    assert.equal(await (await fetch(`http://127.0.0.1:${hostPort}/`)).text(), `stack ${info.Config.Labels[Label.stack]}\n`, 'the service serves what it wrote to /tmp');

    assert.ok(!JSON.stringify(s.events).includes(secret), 'no event carries the secret');
    assert.ok(!JSON.stringify(info.Config.Labels).includes(secret), 'no label carries it');
    for (const file of await filesUnder(join(repo, '.porter-tmp'))) {
      assert.ok(!(await readFile(file)).includes(secret), `${file} does not hold it`);
    }
  });

  test('uid, read_only, pids_limit and cap_add change the defaults; no-new-privileges and dropping the rest stay', { timeout: 120_000 }, async () => {
    assert.equal((await provision('Custom')).value, 'passed');
    const { id, info } = await inspectOne('Custom');
    assert.equal(info.Config.User, '0');
    assert.equal(info.HostConfig.ReadonlyRootfs, false);
    assert.equal(info.HostConfig.Tmpfs ?? undefined, undefined);
    assert.equal(info.HostConfig.PidsLimit, 100);
    assert.deepEqual(info.HostConfig.SecurityOpt, ['no-new-privileges:true']);
    assert.deepEqual(info.HostConfig.CapDrop, ['ALL']);
    assert.deepEqual([...(info.HostConfig.CapAdd ?? [])].sort(), ['CHOWN', 'NET_BIND_SERVICE']);
    const inside = await execIn(id, ['sh', '-c', 'id -u; touch /x && echo root-written']);
    assert.deepEqual(inside.output.trim().split(/\r?\n/), ['0', 'root-written']);
  });

  test('what a stack container prints of a src_env_file value is masked in the failure', { timeout: 120_000 }, async () => {
    const { value, s } = await provision('Leaky');
    assert.equal(value, 'failed');
    const failure = s.results().find((r) => r.list === 'provision' && r.status === 'failed');
    assert.ok(failure?.tail.includes('leak: the password is ***'), `the container's line, masked: ${JSON.stringify(failure?.tail)}`);
    assert.ok(!JSON.stringify(s.events).includes(secret));
  });

  test('a src_env_file program that fails, or prints a malformed line, is exit 2 and nothing starts', { timeout: 60_000 }, async () => {
    for (const [env, pattern] of [
      ['Failing', /src_env_file of container web .*failed: it exited with code 3\. Nothing was started\.[\s\S]*vault is sealed/],
      ['Malformed', /src_env_file of container web .*printed a malformed line 3 \(not KEY=value/],
    ] as const) {
      const s = await phaseSession(repo);
      try {
        await assert.rejects(buildProvision(s.ctx, env), (err: unknown) => err instanceof UsageError && err.exitCode === 2 && pattern.test(err.message) && !err.message.includes(secret));
        assert.deepEqual(s.results(), [], 'no hook ran');
      } finally {
        await s.ctx.close();
      }
      const started = await engineList(`/containers/json?all=1&${labelQuery({ ...labels, [Label.environment]: env })}`);
      assert.deepEqual(started, [], `nothing of ${env} was started`);
    }
  });

  test('nothing is left after a sweep', { timeout: 30_000 }, async () => {
    await sweep(labels);
    await assertNothingLeft(labels);
  });
});
