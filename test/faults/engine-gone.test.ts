/**
 * Fault: the Docker engine goes away mid-run and comes back. A dockerd of the test's own (never the shared one) is
 * killed while a hook runs or its image builds: porter exits 2 within seconds saying the engine went away, not
 * blaming the hook; after the engine is started again a rerun passes and nothing of either run is left.
 */
import assert from 'node:assert/strict';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { uniqueRunId } from '../helpers/docker.js';
import { assertExit, assertNothingOfRunLeft, exitWithin, porterTmpDir } from '../helpers/fault-checks.js';
import { HOOK, hookRepo, scriptHook } from '../helpers/hook-repo.js';
import { runPorter, startPorter, summaryRow, type PorterProcess } from '../helpers/porter-cli.js';
import { describePrivateEngine } from '../helpers/private-engine-suite.js';

const service = uniqueRunId();

type Container = { Id: string; Command: string; State: string; Labels: Record<string, string> };

const SLEEPER = [
  'if [ -n "$QUICK" ]; then echo quick run; exit 0; fi',
  "trap 'echo stopped by the engine; exit 143' TERM",
  'echo hook-started',
  'sleep 60 & wait',
  '',
].join('\n');

// The RUN step is slow only while the context holds `slow`; the rerun deletes it (a new hash: built again).
const SLOW_BUILD = "FROM busybox\nCOPY . /ctx/\nRUN if [ -f /ctx/slow ]; then trap 'exit 143' TERM; echo building; sleep 60 & wait; fi\nCMD [\"echo\", \"built\"]\n";

const CONFIG = `service_name: ${service}
hooks:
  run:
${scriptHook('sleeper.sh', { name: 'sleeper' }, { QUICK: null })}
  build:
  - dockerfile: .porter/hooks/slow-build/Dockerfile
    name: slow
`;

await describePrivateEngine('faults: the Docker engine goes away mid-run and comes back', 'the engine-gone faults', (engine) => {
  let repo: string;
  let tmp: string;
  const env = (): Record<string, string> => ({ DOCKER_HOST: engine.host, TMPDIR: tmp });

  before(async () => {
    repo = await hookRepo(CONFIG, { 'scripts/sleeper.sh': SLEEPER, '.porter/hooks/slow-build/Dockerfile': SLOW_BUILD });
    tmp = await porterTmpDir();
  });

  /** Every container on the private engine (it is ours alone), with its command. */
  const allContainers = async (): Promise<Container[]> => (await engine.api('GET', '/containers/json?all=1')).body as Container[];

  const buildRunning = async (p: PorterProcess): Promise<void> => {
    for (let until = Date.now() + 60_000; Date.now() < until;) {
      if ((await allContainers()).some((c) => c.Command.includes('/ctx/slow') && c.State === 'running')) return;
      if (p.child.exitCode !== null) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.fail(`the hook's build never reached its slow RUN step:\n${p.stdout()}\n${p.stderr()}`);
  };

  const cases = [
    { what: 'a hook runs', list: 'run', signal: 'SIGKILL', during: 'a container was running' },
    { what: 'a hook runs', list: 'run', signal: 'SIGTERM', during: 'a container was running' },
    { what: 'its image builds', list: 'build', signal: 'SIGTERM', during: 'an image was building' },
    { what: 'its image builds', list: 'build', signal: 'SIGKILL', during: 'an image was building' },
  ] as const;

  for (const c of cases) {
    test(`dockerd ${c.signal === 'SIGKILL' ? 'killed (SIGKILL)' : 'stopped (SIGTERM)'} while ${c.what}: exit 2 saying the engine went away; after a restart a rerun passes`, { timeout: 120_000 }, async () => {
      if (c.list === 'build') await writeFile(join(repo, '.porter/hooks/slow-build/slow'), `${c.signal}\n`);
      const p = startPorter(repo, ['build', 'hook', '-name', c.list], env());
      if (c.list === 'run') await p.waitFor(/hook-started/, 60_000);
      else await buildRunning(p);

      const stopped = engine.stop(c.signal);
      const r = await exitWithin(p, 20_000);
      await stopped;
      assertExit(r, 2, new RegExp(`The Docker engine at ${engine.host.replace(/[/.]/g, '\\$&')} went away while ${c.during} \\(.+\\)\\. The hook did not fail: the engine stopped answering\\.`));
      // "Within seconds": dockerd stopping (SIGTERM) first stops the container, which takes its trap a moment.
      assert.ok(r.tookMs < 10_000, `porter took ${r.tookMs} ms to notice`);
      const hook = c.list === 'run' ? 'run sleeper' : 'build slow';
      assert.notEqual(summaryRow(r.stdout, hook)?.status, 'failed', 'the hook is not blamed');
      assert.doesNotMatch(r.stdout + r.stderr, /failed to build|The hook's Dockerfile failed/);

      await engine.start();
      if (c.list === 'build') await rm(join(repo, '.porter/hooks/slow-build/slow'));
      const rerun = await runPorter(repo, ['build', 'hook', '-name', c.list], { ...env(), QUICK: '1' });
      assertExit(rerun, 0);
      if (c.list === 'run') {
        assert.match(rerun.stdout, /\[run sleeper\] quick run/);
        // The killed run's container outlived the engine's restart; the rerun removes it (its porter is gone).
        if (c.signal === 'SIGKILL') assert.match(rerun.stdout, new RegExp(`Removed 1 hook container\\(s\\) of ${service} left by a porter run`));
      } else {
        assert.match(rerun.stdout, /\[build slow\] built/);
      }
      await assertNothingOfRunLeft({ api: engine.api, service, repo, tmp, maxImages: 2 });
      const others = await allContainers();
      if (c.list === 'build') {
        // Known gap: a dockerd stopped or killed mid-build may keep the builder's stopped RUN container when it comes back
        // (its own clean-up was cut short). It carries no porter label (the classic builder labels only the final image),
        // so porter cannot tell it from anyone else's; the test removes it, after checking it is nothing else.
        assert.ok(others.every((o) => o.Command.includes('/ctx/slow') && o.State !== 'running' && !o.Labels['porter.service']), JSON.stringify(others));
        for (const o of others) await engine.api('DELETE', `/containers/${o.Id}?force=1`);
      } else {
        assert.deepEqual(others, [], 'no container at all on the engine');
      }
    });
  }
});
