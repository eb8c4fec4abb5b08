/**
 * An engine that cannot see the checkout: a private dockerd in its own network and mount namespaces, where the
 * directory holding the test repos is an empty tmpfs, reached over tcp:// (a relay on 127.0.0.1) and over its unix
 * socket (where only porter's probe can tell). Hooks get the repo through a volume and their changes come back.
 */
import assert from 'node:assert/strict';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createDockerEngine } from '../../src/docker/dockerode-engine.js';
import { Label } from '../../src/docker/labels.js';
import { tempDir, uniqueRunId, writeTree } from '../helpers/docker.js';
import { startEngineProxy, type EngineProxy } from '../helpers/engine-proxy.js';
import { assertExit, porterTmpDir } from '../helpers/fault-checks.js';
import { hookRepo, scriptHook } from '../helpers/hook-repo.js';
import { hookLines, runPorter, startPorter } from '../helpers/porter-cli.js';
import { describePrivateEngine } from '../helpers/private-engine-suite.js';
import { sshdUnavailable, startSshd, type Sshd } from '../helpers/sshd.js';

const service = uniqueRunId();

const WRITER = [
  'set -e',
  'echo made > /repo_root/made.txt; chmod 750 /repo_root/made.txt',
  'echo more >> /repo_root/edit.txt',
  'rm -f /repo_root/drop.txt',
  'mkdir -p /repo_root/out/deep; echo deep > /repo_root/out/deep/file',
  'chmod 600 /repo_root/mode.txt',
  'if [ -e /repo_root/secret-dir ]; then echo ignored-visible; else echo ignored-hidden; fi',
  'echo "envfile=$FROM_ENV_FILE"',
  'echo FROM_WRITER=w1 >> "$PORTER_OUTPUT"',
  '',
].join('\n');

const READER = [
  'cat /repo_root/made.txt',
  'echo "got=$FROM_WRITER"',
  'if touch /repo_root/ro-probe 2>/dev/null; then echo ro-writable; else echo ro-refused; fi',
  '',
].join('\n');

/** What a hook finds in its output directory: only its own, empty, \`$PORTER_OUTPUT\`. */
const SLOT_CHECK = 'echo "files=$(ls -A /porter | tr \'\\n\' \' \')size=$(wc -c < "$PORTER_OUTPUT" | tr -d \' \')"\n';
const slotChecks = (from: number, to: number): string[] =>
  Array.from({ length: to - from + 1 }, (_, i) => scriptHook('slot-check.sh', { name: `check${from + i}` }));
const groupWriters = [1, 2, 3, 4, 5].map((i) => scriptHook('slot-group.sh', { name: `group${i}`, concurrent: true }, { KEY: `G${i}` }));

const CONFIG = `service_name: ${service}
hooks:
  share:
${scriptHook('writer.sh', { name: 'writer', env_file: '.porter/hook.env' })}
${scriptHook('reader.sh', { name: 'reader', repo_root: 'ro' }, { FROM_WRITER: null })}
  fail:
${scriptHook('fail.sh', { name: 'fails' })}
  slots:
${scriptHook('slot-first.sh', { name: 'first' })}
${slotChecks(1, 6).join('\n')}
  - dockerfile: .porter/hooks/nobody/Dockerfile
    name: nobody
${groupWriters.join('\n')}
${slotChecks(7, 7).join('\n')}
${scriptHook('slot-last.sh', { name: 'last' }, { A: null, NOBODY: null, G1: null, G2: null, G3: null, G4: null, G5: null })}
`;

const FILES = {
  'scripts/writer.sh': WRITER,
  'scripts/reader.sh': READER,
  'scripts/fail.sh': 'echo partial > /repo_root/partial.txt\nexit 3\n',
  'scripts/slot-first.sh': `${SLOT_CHECK}echo A=1 >> "$PORTER_OUTPUT"; touch /porter/stray\n`,
  'scripts/slot-check.sh': SLOT_CHECK,
  'scripts/slot-group.sh': `${SLOT_CHECK}sleep 1; echo "$KEY=from-$KEY" >> "$PORTER_OUTPUT"\n`,
  'scripts/slot-last.sh': 'echo "a=$A nobody=$NOBODY g=$G1,$G2,$G3,$G4,$G5"\n',
  '.porter/hooks/nobody/Dockerfile': 'FROM busybox:latest\nUSER 65534\nCMD ["sh", "-c", "id -u; echo NOBODY=yes >> \\"$PORTER_OUTPUT\\""]\n',
  '.porter/hook.env': 'FROM_ENV_FILE=ef1\n',
  '.dockerignore': 'secret-dir\n',
  'secret-dir/x': 'not for hooks\n',
  'edit.txt': 'edit\n',
  'drop.txt': 'drop\n',
  'mode.txt': 'mode\n',
};

let hidden: string;

await describePrivateEngine('an engine that cannot see the checkout (copy mode)', 'the remote-engine tests', (engine) => {
  let proxy: EngineProxy;
  let tmp: string;
  const env = (host = proxy.host): Record<string, string> => ({ DOCKER_HOST: host, TMPDIR: tmp });

  /** A repo of its own, in the directory the engine cannot see. */
  const repo = async (files: Record<string, string> = {}): Promise<string> => {
    const made = await hookRepo(CONFIG, { ...FILES, ...files });
    const moved = join(hidden, basename(made));
    await rename(made, moved);
    return moved;
  };

  /** Containers and volumes on the private engine (it is ours alone): none once porter has exited. */
  const assertEngineEmpty = async (): Promise<void> => {
    const containers = (await engine.api('GET', '/containers/json?all=1')).body as unknown[];
    const volumes = ((await engine.api('GET', '/volumes')).body as { Volumes: unknown[] | null }).Volumes ?? [];
    assert.deepEqual({ containers, volumes }, { containers: [], volumes: [] }, 'porter left something on the remote engine');
  };

  before(async () => {
    proxy = await startEngineProxy(engine.host.replace(/^unix:\/\//, ''), true);
    tmp = await porterTmpDir();
  });
  after(async () => {
    await proxy?.cut();
  });

  test('over tcp://: rw and ro hooks share the copy, .dockerignore is honoured, outputs and env_file work, changes come back', { timeout: 180_000 }, async () => {
    const dir = await repo();
    const r = await runPorter(dir, ['build', 'hook', '-name', 'share'], env());
    assertExit(r, 0);
    assert.match(r.stdout + r.stderr, /copy of the repo \(honouring \.dockerignore\) in volume porter-/);
    const writer = hookLines(r.stdout, 'share writer');
    assert.ok(writer.includes('ignored-hidden') && writer.includes('envfile=ef1'), writer.join('\n'));
    assert.deepEqual(hookLines(r.stdout, 'share reader'), ['made', 'got=w1', 'ro-refused']);
    assert.equal(await readFile(join(dir, 'made.txt'), 'utf8'), 'made\n');
    assert.equal((await stat(join(dir, 'made.txt'))).mode & 0o777, 0o750);
    assert.equal((await stat(join(dir, 'mode.txt'))).mode & 0o777, 0o600);
    assert.equal(await readFile(join(dir, 'edit.txt'), 'utf8'), 'edit\nmore\n');
    assert.equal(await readFile(join(dir, 'out/deep/file'), 'utf8'), 'deep\n');
    await assert.rejects(stat(join(dir, 'drop.txt')), { code: 'ENOENT' });
    await assert.rejects(stat(join(dir, 'ro-probe')), { code: 'ENOENT' });
    assert.equal(await readFile(join(dir, 'secret-dir/x'), 'utf8'), 'not for hooks\n', 'an ignored file of the checkout was touched');
    await assertEngineEmpty();
  });

  test('$PORTER_OUTPUT on a copy: each run finds only its own empty file, whatever the runs before it left; outputs reach later hooks', { timeout: 180_000 }, async () => {
    // More runs than output slots, a run that leaves a stray file beside its output, one as a non-root user, a group at once.
    const dir = await repo();
    const r = await runPorter(dir, ['build', 'hook', '-name', 'slots'], env());
    assertExit(r, 0);
    for (const name of ['first', 'check1', 'check2', 'check3', 'check4', 'check5', 'check6', 'check7', 'group1', 'group2', 'group3', 'group4', 'group5']) {
      assert.deepEqual(hookLines(r.stdout, `slots ${name}`), ['files=output size=0'], `${name}:\n${r.stdout}`);
    }
    assert.deepEqual(hookLines(r.stdout, 'slots nobody'), ['65534']);
    assert.deepEqual(hookLines(r.stdout, 'slots last'), ['a=1 nobody=yes g=from-G1,from-G2,from-G3,from-G4,from-G5']);
    await assertEngineEmpty();
  });

  test('a failing hook: exit 1, what it wrote before failing comes back, the volume is removed', { timeout: 120_000 }, async () => {
    const dir = await repo();
    const r = await runPorter(dir, ['build', 'hook', '-name', 'fail'], env());
    assertExit(r, 1);
    assert.equal(await readFile(join(dir, 'partial.txt'), 'utf8'), 'partial\n');
    await assertEngineEmpty();
  });

  test('over the unix socket the address does not tell: the probe finds the checkout missing and copies', { timeout: 120_000 }, async () => {
    const dir = await repo();
    const r = await runPorter(dir, ['build', 'hook', '-name', 'share'], env(engine.host));
    assertExit(r, 0);
    assert.match(r.stdout + r.stderr, /as the Docker engine at unix:\/\/\S+ cannot see /);
    assert.equal(await readFile(join(dir, 'made.txt'), 'utf8'), 'made\n');
    await assertEngineEmpty();
  });

  test('porter debug replays a hook of a copy-mode run with a copy again, and copies its changes back', { timeout: 120_000 }, async () => {
    const dir = await repo();
    assertExit(await runPorter(dir, ['build', 'hook', '-name', 'share'], env()), 0);
    const runs = join(dir, '.porter-tmp', 'runs');
    const journal = await readFile(join(runs, (await readdir(runs)).sort().at(-1) ?? 'none'), 'utf8');
    assert.match(journal, /"kind":\s*"volume"/);
    await rm(join(dir, 'made.txt'));
    const r = await runPorter(dir, ['debug', 'share/writer'], env());
    assertExit(r, 0);
    assert.equal(await readFile(join(dir, 'made.txt'), 'utf8'), 'made\n');
    await assertEngineEmpty();
  });

  test('Ctrl-C while the repo is being copied: exit 130, nothing left on the engine, the checkout untouched', { timeout: 120_000 }, async () => {
    const dir = await repo();
    // 96 MiB that does not compress: the copy takes long enough to be interrupted.
    const big = createWriteStream(join(dir, 'big.bin'));
    for (let i = 0; i < 96; i++) if (!big.write(randomBytes(1 << 20))) await new Promise<void>((r) => big.once('drain', () => r()));
    await new Promise<void>((r) => big.end(() => r()));
    const p = startPorter(dir, ['build', 'hook', '-name', 'share'], env());
    await p.waitFor(/copy of the repo/, 90_000);
    p.child.kill('SIGINT');
    const r = await p.exited;
    assertExit(r, 130);
    assert.deepEqual(hookLines(r.stdout, 'share writer'), [], 'the hook started: the interrupt came after the copy');
    await assertEngineEmpty();
    await assert.rejects(stat(join(dir, 'made.txt')), { code: 'ENOENT' });
    assert.equal(await readFile(join(dir, 'edit.txt'), 'utf8'), 'edit\n');
  });

  test('a volume left by a killed porter is removed by the next run', { timeout: 120_000 }, async () => {
    const dir = await repo();
    const remote = createDockerEngine({ dockerHost: engine.host, env: {} });
    const stale = `porter-${service}-repo-stale`;
    // A pid that cannot be alive: above Linux's pid_max.
    await remote.createVolume(stale, { [Label.service]: service, [Label.run]: 'stale', [Label.pid]: '4194305', [Label.host]: hostname(), [Label.repoCopy]: '1' });
    const r = await runPorter(dir, ['build', 'hook', '-name', 'fail'], env());
    assertExit(r, 1);
    assert.match(r.stdout + r.stderr, /Removed 1 copy\(ies\) of the repo/);
    await assertEngineEmpty();
  });

  describe('over ssh://, through a real sshd in front of the engine', { skip: sshdUnavailable() }, () => {
    let sshd: Sshd;
    let noDocker: Sshd;
    const hashed = (name: string): string => {
      const salt = randomBytes(20);
      return `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update(name).digest('base64')}`;
    };
    const sshEnv = (home: string, url = sshd.url): Record<string, string | undefined> => ({ DOCKER_HOST: url, HOME: home, USER: 'root', SSH_AUTH_SOCK: undefined, TMPDIR: tmp });

    before(async () => {
      sshd = await startSshd(engine.host);
      noDocker = await startSshd(engine.host, 'env PATH=/nonexistent /bin/sh -c "$SSH_ORIGINAL_COMMAND"');
    });
    after(async () => {
      await sshd?.stop();
      await noDocker?.stop();
    });

    test('a known host key (hashed entry): the hooks run on the engine behind sshd with a copy, changes come back', { timeout: 180_000 }, async () => {
      const dir = await repo();
      const home = await sshd.clientHome(`${hashed(`[127.0.0.1]:${sshd.port}`)} ${sshd.hostKey}\n`);
      const r = await runPorter(dir, ['build', 'hook', '-name', 'share'], sshEnv(home));
      assertExit(r, 0);
      assert.match(r.stdout + r.stderr, new RegExp(`as the Docker engine at ssh://root@127\\.0\\.0\\.1:${sshd.port} cannot see`));
      assert.deepEqual(hookLines(r.stdout, 'share reader'), ['made', 'got=w1', 'ro-refused']);
      assert.equal(await readFile(join(dir, 'made.txt'), 'utf8'), 'made\n');
      await assertEngineEmpty();
    });

    test('a docker context with the ssh endpoint (DOCKER_CONTEXT, no DOCKER_HOST) is the same engine', { timeout: 180_000 }, async () => {
      const dir = await repo();
      const home = await sshd.clientHome(`[127.0.0.1]:${sshd.port} ${sshd.hostKey}\n`);
      const config = join(home, '.docker');
      const id = createHash('sha256').update('build-host').digest('hex');
      await writeTree(config, {
        'config.json': '{}',
        [`contexts/meta/${id}/meta.json`]: JSON.stringify({ Name: 'build-host', Metadata: {}, Endpoints: { docker: { Host: sshd.url, SkipTLSVerify: false } } }),
      });
      const r = await runPorter(dir, ['build', 'hook', '-name', 'fail'], { ...sshEnv(home), DOCKER_HOST: undefined, DOCKER_CONTEXT: 'build-host' });
      assertExit(r, 1);
      assert.match(r.stdout + r.stderr, /as the Docker engine at ssh:\/\/root@127\.0\.0\.1:\d+ cannot see/);
      assert.equal(await readFile(join(dir, 'partial.txt'), 'utf8'), 'partial\n');
      await assertEngineEmpty();
    });

    test('a changed host key (known_hosts has another key for the host): exit 2 naming the host, nothing run', { timeout: 60_000 }, async () => {
      const dir = await repo();
      const home = await sshd.clientHome(`[127.0.0.1]:${sshd.port} ${noDocker.hostKey}\n`);
      const r = await runPorter(dir, ['build', 'hook', '-name', 'share'], sshEnv(home));
      assertExit(r, 2, new RegExp(`ssh host key of \\[127\\.0\\.0\\.1\\]:${sshd.port} .* does not match the one in ${home}/\\.ssh/known_hosts`));
      await assert.rejects(stat(join(dir, 'made.txt')), { code: 'ENOENT' });
    });

    test('an unknown host (not in known_hosts): exit 2 naming the host and how to add it', { timeout: 60_000 }, async () => {
      const dir = await repo();
      const home = await sshd.clientHome(`${hashed('elsewhere.example')} ${sshd.hostKey}\n`);
      const r = await runPorter(dir, ['build', 'hook', '-name', 'share'], sshEnv(home));
      assertExit(r, 2, new RegExp(`ssh host key of \\[127\\.0\\.0\\.1\\]:${sshd.port} .* is not in .*known_hosts.*ssh-keyscan`));
    });

    test('a remote without the docker CLI: exit 2 saying docker system dial-stdio cannot run there', { timeout: 60_000 }, async () => {
      const dir = await repo();
      const home = await noDocker.clientHome(`[127.0.0.1]:${noDocker.port} ${noDocker.hostKey}\n`);
      const r = await runPorter(dir, ['build', 'hook', '-name', 'share'], sshEnv(home, noDocker.url));
      assertExit(r, 2, /cannot run `docker system dial-stdio` \(exit 127: .*docker.*not found\)/);
    });
  });
}, async () => {
  hidden = await tempDir('porter-remote-test-');
  await mkdir(hidden, { recursive: true });
  return { hide: [hidden] };
});
