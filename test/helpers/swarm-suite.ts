/** What the Swarm lab test files share: the availability check, a phase session on the manager, the alias's answer. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inPhaseSession, type PhaseSession } from './phase-repo.js';
import type { SwarmLab } from './swarm-lab.js';

/** The first test of a lab suite: a failure under CI when the lab cannot be built here, else a loud skip. */
export function testLabCanBeBuilt(unavailable: () => string | undefined): void {
  test('the lab can be built here (a failure under CI, else a loud skip)', { timeout: 10_000 }, (t) => {
    const why = unavailable();
    if (!why) return;
    if (process.env.CI) assert.fail(`CI is set, so this is a failure, not a skip: ${why}`);
    t.skip(why);
  });
}

/** `run` in a phase session of `repo` on the lab's manager, pushing and pulling with the lab registry's login (`dockerConfig`). */
export function labPhase<T>(lab: SwarmLab | undefined, repo: string, dockerConfig: string, run: (s: PhaseSession) => Promise<T>): Promise<{ value: T; s: PhaseSession }> {
  return inPhaseSession(repo, run, { DOCKER_HOST: lab?.managerHost, DOCKER_REGISTRY: undefined, DOCKER_REPOSITORY: undefined, DOCKER_CONFIG: dockerConfig });
}

/**
 * What `http://<service>:8080/` answers to a container on the overlay `network`, right now. The manager can refuse to
 * attach a container to the overlay for a moment while its services are updated ("network … not found", Docker
 * 20.10): that is said in the answer, so a test polling for an answer asks again.
 */
export async function labAnswer(lab: SwarmLab, service: string, network: string): Promise<string> {
  try {
    return (await lab.docker('manager', ['run', '--rm', '--network', network, 'busybox:latest', 'timeout', '5', 'wget', '-q', '-O-', `http://${service}:8080/`])).trim();
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    if (/network \S+ not found/.test(message)) return `(no answer: the manager could not attach a container to ${network} just then)`;
    throw err;
  }
}

/**
 * A client container `<service>-client` on the lab manager's overlay `network`, asking `http://<service>:8080/` every
 * 100 ms (each request allowed 2 s), given 2 s to warm up. Its count is written to a new file and moved in place, so a
 * read never sees it half written. `stop()` removes it and returns how many requests were answered and how many
 * failed, and the distinct answers it saw.
 */
export async function startLabClient(lab: SwarmLab, service: string, network: string, labels: Record<string, string>): Promise<{ stop(): Promise<{ ok: number; failed: number; seen: string[] }> }> {
  const name = `${service}-client`;
  await lab.docker('manager', ['run', '-d', '--name', name, ...Object.entries(labels).flatMap(([k, v]) => ['--label', `${k}=${v}`]), '--network', network, 'busybox:latest', 'sh', '-c',
    `ok=0; fail=0; while true; do if timeout 2 wget -q -O- http://${service}:8080/ > /tmp/last 2>/dev/null; then ok=$((ok+1)); cat /tmp/last >> /tmp/seen; else fail=$((fail+1)); fi; echo "$ok $fail" > /tmp/count.new && mv /tmp/count.new /tmp/count; sleep 0.1; done`]);
  await new Promise((r) => setTimeout(r, 2000));
  return {
    async stop() {
      const [ok, failed] = (await lab.docker('manager', ['exec', name, 'cat', '/tmp/count'])).trim().split(' ').map(Number);
      const seen = (await lab.docker('manager', ['exec', name, 'sh', '-c', 'sort -u /tmp/seen 2>/dev/null || true'])).trim().split('\n').filter(Boolean);
      await lab.docker('manager', ['rm', '-f', name]);
      return { ok: ok ?? 0, failed: failed ?? Number.NaN, seen };
    },
  };
}

/** The `after` of a lab suite: its client container gone, the lab torn down and checked empty, the temp dirs removed. */
export async function tearDownLab(lab: SwarmLab | undefined, service: string, removeTempDirs: () => Promise<void>): Promise<void> {
  if (lab) {
    await lab.docker('manager', ['rm', '-f', `${service}-client`], 20_000).catch(() => '');
    const left = await lab.teardown();
    assert.deepEqual(left, [], `the swarm lab left things behind: ${left.join('; ')}`);
  }
  await removeTempDirs();
}
