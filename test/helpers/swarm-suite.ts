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

/** What `http://<service>:8080/` answers to a container on the overlay `network`, right now. */
export async function labAnswer(lab: SwarmLab, service: string, network: string): Promise<string> {
  return (await lab.docker('manager', ['run', '--rm', '--network', network, 'busybox:latest', 'timeout', '5', 'wget', '-q', '-O-', `http://${service}:8080/`])).trim();
}
