/**
 * (j)'s regions series: one list of trivial hooks in sequence, run by `porter build hook -e R<n>` in the n regions of
 * an environment (1, 2, 4), each region a private engine of the bench's own (test/helpers/private-dockerd.ts, as in
 * the fault suite: a dockerd in its own network namespace). Hooks run on porter's own engine whatever the region (the
 * region's engine is where its stacks live; docs/swarm.md, docs/events.md), so the floor runs the same list n times
 * at once on that engine, one list per region. The engines are TypeScript under test/, loaded through tsx at run
 * time, torn down at the bench's clean-up.
 */
import { join } from 'node:path';
import { tsImport } from 'tsx/esm/api';
import { hookDir, hookFiles, porterConfig, trivialHook, type BenchHook } from './hooks.js';
import type { FloorSpec } from './floor.js';
import type { BenchContext, Scenario } from './scenarios.js';
import { createRepo } from './workspace.js';
import { writeFile } from 'node:fs/promises';

/** The region counts of the series. */
export const REGION_N = [1, 2, 4] as const;
/** Hooks in the list each region runs. */
const HOOKS = 5;

/** What the bench uses of test/helpers/private-dockerd.ts (declared here: the bench's build does not compile test/). */
interface Engine {
  host: string;
  start(): Promise<void>;
  copyImage(ref: string, fromSocket: string): Promise<void>;
  teardown(): Promise<string[]>;
}
interface EngineModule {
  privateEngineUnavailable(): Promise<string | undefined>;
  createPrivateEngine(): Promise<Engine>;
}

export async function regions(bench: BenchContext): Promise<Scenario[]> {
  const engines = (await tsImport('../../test/helpers/private-dockerd.ts', import.meta.url)) as EngineModule;
  const why = await engines.privateEngineUnavailable();
  if (why) throw new Error(`bench (j) regions: no private engines here: ${why}`);
  const made: Engine[] = [];
  bench.onCleanup(async () => {
    for (const engine of made) {
      const left = await engine.teardown();
      if (left.length) process.stderr.write(`bench (j) regions: a private engine left behind: ${left.join('; ')}\n`);
    }
  });
  for (let i = 0; i < Math.max(...REGION_N); i++) {
    const engine = await engines.createPrivateEngine();
    made.push(engine);
    await engine.start();
    await engine.copyImage('busybox:latest', '/var/run/docker.sock');
  }
  const service = `${bench.ws.id}-jr`;
  bench.ws.services.add(service);
  const hooks: BenchHook[] = Array.from({ length: HOOKS }, (_, i) => trivialHook(i));
  const environments = REGION_N.map((n) => [
    `- name: R${n}`, '  regions:',
    ...made.slice(0, n).flatMap((e, i) => [`  - name: r${i}`, `    docker_host: ${e.host}`]),
  ].join('\n'));
  const config = `${porterConfig(service, { bench: hooks })}environments:\n${environments.join('\n')}\n`;
  const repo = await createRepo(bench.ws, 'jr', { ...hookFiles(hooks), '.porter/config': config });
  const ownSocket = (bench.env.DOCKER_HOST ?? process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock').replace(/^unix:\/\//, '');
  const scenarios: Scenario[] = [];
  for (const n of REGION_N) {
    const spec: FloorSpec = {
      mode: 'sequence', repoDir: repo, labels: { 'porter.service': service, 'bench.side': 'floor' },
      hooks: hooks.map((h) => ({ contextDir: join(repo, hookDir(h.name)), dockerfile: 'Dockerfile', tag: `${service}-floor-${h.name}` })),
      // porter's own engine (DOCKER_HOST or the local socket), once per region: where porter runs every region's list.
      socketPaths: Array.from({ length: n }, () => ownSocket),
    };
    const specFile = join(bench.ws.root, `jr${n}-floor.json`);
    await writeFile(specFile, JSON.stringify(spec, null, 2));
    scenarios.push({
      id: `jr${n}`, title: `${HOOKS} trivial hooks in sequence in ${n} region${n > 1 ? 's' : ''} (private engines)`,
      floorIs: `dockerode: the same ${HOOKS} on porter's own engine, ${n > 1 ? `${n} lists at once (one per region)` : 'once'}`,
      target: 1.1, series: { name: 'regions', n },
      porter: { argv: [process.execPath, bench.porterBin, '-C', repo, 'build', 'hook', '-name', 'bench', '-e', `R${n}`], env: bench.env },
      floor: { argv: [process.execPath, bench.floorJs, specFile], env: bench.env },
    });
  }
  return scenarios;
}
