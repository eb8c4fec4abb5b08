/**
 * The floor of (i), a promote on a single-node Swarm, written straight against dockerode with no porter code: what a
 * hand-written script doing `docker service update --network-add-alias`-style calls on the Engine API would do.
 *
 *   node bench/dist/floor-swarm.js <spec.json>
 *
 * The service's stacks were provisioned by porter (untimed): the one whose services lack the alias is the new one.
 * Its services get the alias on the overlay network (one service update each), then the floor polls until each
 * update is `completed` with its replicas running; then the old stack's services lose the alias, waited for the
 * same way. The same steps and the same waits as porter's promote; no wait for the replaced tasks to stop.
 */
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import Docker from 'dockerode';

export interface SwarmFloorSpec {
  /** The lab manager's socket. */
  socketPath: string;
  /** porter's service name: the alias, and the `porter.service` label of its Swarm services. */
  service: string;
  /** The overlay network the alias lives on. */
  network: string;
  /** Milliseconds between two polls of the update: a hand-written script's cadence. */
  pollMs: number;
}

/** BENCH_TRACE=1: when each step ended, in ms since the process started (node's own start-up included). */
const mark = (what: string): void => {
  if (process.env.BENCH_TRACE === '1') process.stderr.write(`${performance.now().toFixed(0).padStart(6)} ms  ${what}\n`);
};

type Service = Awaited<ReturnType<Docker['listServices']>>[number];

const hasAlias = (s: Service, networkId: string, alias: string): boolean =>
  (s.Spec?.TaskTemplate as Docker.ContainerTaskSpec | undefined)?.Networks?.some((n) => n.Target === networkId && (n.Aliases ?? []).includes(alias)) ?? false;

async function setAliases(docker: Docker, s: Service, networkId: string, aliases: string[]): Promise<void> {
  const spec = s.Spec ?? {};
  const template = (spec.TaskTemplate ?? {}) as Docker.ContainerTaskSpec;
  const others = (template.Networks ?? []).filter((n) => n.Target !== networkId);
  await docker.getService(s.ID).update({ version: s.Version?.Index ?? 0, ...spec, TaskTemplate: { ...template, Networks: [...others, { Target: networkId, Aliases: aliases }] } });
}

const runningTasks = (docker: Docker, id: string): Promise<{ ID: string; Status?: { State?: string } }[]> =>
  docker.listTasks({ filters: { service: [id], 'desired-state': ['running'] } }) as Promise<{ ID: string; Status?: { State?: string } }[]>;

/** Done: the update completed, its replicas running, none of them a task from before it (the manager may not have started it yet). */
async function converged(docker: Docker, id: string, before: ReadonlySet<string>): Promise<boolean> {
  const [info, tasks] = await Promise.all([
    docker.getService(id).inspect() as Promise<Service>,
    runningTasks(docker, id),
  ]);
  const state = (info as Service & { UpdateStatus?: { State?: string } }).UpdateStatus?.State;
  if (state && /paused|rollback/.test(state)) throw new Error(`floor-swarm: the update of ${info.Spec?.Name ?? id} is ${state}`);
  const replicas = info.Spec?.Mode?.Replicated?.Replicas ?? 1;
  return (state === undefined || state === 'completed') && tasks.length === replicas && tasks.every((t) => t.Status?.State === 'running' && !before.has(t.ID));
}

async function move(docker: Docker, spec: SwarmFloorSpec, services: Service[], networkId: string, aliases: string[]): Promise<void> {
  const before = new Set((await Promise.all(services.map((s) => runningTasks(docker, s.ID)))).flat().map((t) => t.ID));
  for (const s of services) await setAliases(docker, s, networkId, aliases);
  const deadline = Date.now() + 120_000;
  for (const s of services) {
    while (!(await converged(docker, s.ID, before))) {
      if (Date.now() > deadline) throw new Error(`floor-swarm: ${s.Spec?.Name ?? s.ID} did not converge within 120 s`);
      await sleep(spec.pollMs);
    }
  }
}

const spec = JSON.parse(readFileSync(process.argv[2] ?? '', 'utf8')) as SwarmFloorSpec;
const docker = new Docker({ socketPath: spec.socketPath });
mark('loaded');
const networkId = ((await docker.getNetwork(spec.network).inspect()) as { Id: string }).Id;
const all = await docker.listServices({ filters: { label: [`porter.service=${spec.service}`] } });
const old = all.filter((s) => hasAlias(s, networkId, spec.service));
const fresh = all.filter((s) => !hasAlias(s, networkId, spec.service));
if (fresh.length === 0) throw new Error('floor-swarm: no stack without the alias to promote');
mark('planned');
await move(docker, spec, fresh, networkId, [spec.service]);
mark('new stack has the alias');
await move(docker, spec, old, networkId, []);
mark('old stack has lost it');
