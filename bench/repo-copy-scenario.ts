/** (g): a hook list on an engine reached over tcp://, the repo copied into a volume against the same list with it bind-mounted. */
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { createConnection, createServer } from 'node:net';
import { join } from 'node:path';
import { hookFiles, porterConfig, trivialHook } from './hooks.js';
import type { BenchContext, Scenario } from './scenarios.js';
import { createRepo } from './workspace.js';

const HOOKS = 5;
const MEGABYTES = 50;
const node = process.execPath;

/** A relay on 127.0.0.1 to the engine's unix socket: porter sees a tcp:// engine (so it copies), on the same dockerd. */
async function tcpRelay(socketPath: string): Promise<string> {
  const server = createServer((client) => {
    const upstream = createConnection(socketPath);
    const drop = (): void => { client.destroy(); upstream.destroy(); };
    client.on('error', drop);
    upstream.on('error', drop);
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  // The bench process ends when its work does, relay or not.
  server.unref();
  const address = server.address();
  return `tcp://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
}

/** (g) 5 trivial hooks on a 50 MB repo over tcp://: copy (a volume, filled once, copied back once) against mount. */
export async function repoCopy(bench: BenchContext): Promise<Scenario> {
  const service = `${bench.ws.id}-g`;
  bench.ws.services.add(service);
  const hooks = Array.from({ length: HOOKS }, (_, i) => trivialHook(i));
  const repo = await createRepo(bench.ws, 'g', { ...hookFiles(hooks), '.porter/config': porterConfig(service, { bench: hooks }) });
  // Data that does not compress, left out of git: the repo's working tree is what hooks see.
  for (let i = 0; i < MEGABYTES; i++) await writeFile(join(repo, `data-${i}.bin`), randomBytes(2 ** 20));
  const socket = (process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock').replace(/^unix:\/\//, '');
  const env = { ...bench.env, DOCKER_HOST: await tcpRelay(socket) };
  const command = (transfer: string): Scenario['porter'] => ({ argv: [node, bench.porterBin, '-C', repo, '--repo-transfer', transfer, 'build', 'hook', '-name', 'bench'], env });
  return {
    id: 'g', title: `${HOOKS} hooks on a ${MEGABYTES} MB repo, tcp:// engine, repo copied`, floorIs: 'porter: the same list with the repo bind-mounted (--repo-transfer mount)',
    target: 1.5, porter: command('copy'), floor: command('mount'),
  };
}
