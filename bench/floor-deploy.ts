/**
 * The floor of (h), a deploy on an engine, written straight against dockerode with no porter code. Two processes,
 * as a pipeline runs porter's two commands:
 *
 *   node bench/dist/floor-deploy.js <spec.json> provision   network (created once), a container on it with its
 *                                                           port published on 127.0.0.1, health polled until 2xx
 *   node bench/dist/floor-deploy.js <spec.json> promote     the new stack's container gets the service's alias,
 *                                                           then the previous stack's container loses it
 *
 * The new stack's container id goes from the first to the second through `spec.stateFile`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import Docker from 'dockerode';

export interface DeployFloorSpec {
  /** The floor's own service name: its containers and network carry it, apart from porter's. */
  service: string;
  image: string;
  containerPort: number;
  healthPath: string;
  network: string;
  stateFile: string;
  /** Milliseconds between two health probes: a hand-written script's cadence. */
  pollMs: number;
}

/** A port free on 127.0.0.1 now (the OS picks it). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

async function ensureNetwork(docker: Docker, spec: DeployFloorSpec): Promise<void> {
  try {
    await docker.getNetwork(spec.network).inspect();
  } catch {
    await docker.createNetwork({ Name: spec.network, Driver: 'bridge', Labels: { 'porter.service': spec.service } });
  }
}

async function healthy(url: string): Promise<boolean> {
  try {
    const answer = await fetch(url, { signal: AbortSignal.timeout(2000) });
    await answer.body?.cancel();
    return answer.status >= 200 && answer.status < 300;
  } catch {
    return false;
  }
}

async function provision(docker: Docker, spec: DeployFloorSpec): Promise<void> {
  await ensureNetwork(docker, spec);
  const port = await freePort();
  const stack = Date.now().toString(36);
  const container = await docker.createContainer({
    Image: spec.image, name: `${spec.service}-${stack}`, Labels: { 'porter.service': spec.service, 'porter.stack': stack },
    ExposedPorts: { [`${spec.containerPort}/tcp`]: {} },
    HostConfig: { NetworkMode: spec.network, PortBindings: { [`${spec.containerPort}/tcp`]: [{ HostIp: '127.0.0.1', HostPort: String(port) }] } },
  });
  await container.start();
  const url = `http://127.0.0.1:${port}${spec.healthPath}`;
  const deadline = Date.now() + 30_000;
  while (!(await healthy(url))) {
    if (Date.now() > deadline) throw new Error(`floor: ${url} did not answer 2xx within 30 s`);
    await sleep(spec.pollMs);
  }
  writeFileSync(spec.stateFile, container.id);
}

async function promote(docker: Docker, spec: DeployFloorSpec): Promise<void> {
  const id = readFileSync(spec.stateFile, 'utf8');
  const network = docker.getNetwork(spec.network);
  const all = await docker.listContainers({ filters: { label: [`porter.service=${spec.service}`] } });
  const holders = await Promise.all(all.filter((c) => c.Id !== id).map((c) => docker.getContainer(c.Id).inspect()));
  await network.disconnect({ Container: id });
  await network.connect({ Container: id, EndpointConfig: { Aliases: [spec.service] } });
  for (const old of holders.filter((c) => c.NetworkSettings.Networks[spec.network]?.Aliases?.includes(spec.service))) {
    await network.disconnect({ Container: old.Id });
    await network.connect({ Container: old.Id, EndpointConfig: { Aliases: [] } });
  }
}

const spec = JSON.parse(readFileSync(process.argv[2] ?? '', 'utf8')) as DeployFloorSpec;
const docker = new Docker({ socketPath: '/var/run/docker.sock' });
if (process.argv[3] === 'provision') await provision(docker, spec);
else if (process.argv[3] === 'promote') await promote(docker, spec);
else throw new Error('floor-deploy: say provision or promote');
// Done: fetch's kept-alive connection would hold the process another 200-400 ms, which porter does not pay.
process.exit(0);
