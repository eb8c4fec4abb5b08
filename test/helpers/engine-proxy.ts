/** A unix-socket relay in front of the real engine, so a test can make "the engine" vanish without stopping dockerd. */
import { createConnection, createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { chooseDockerHost, parseDockerHost } from '../../src/docker/engine-host.js';
import { tempDir } from './temp-dirs.js';

export interface EngineProxy {
  /** `unix:///…/engine.sock`: give it to createDockerEngine as dockerHost. */
  host: string;
  /** Drops every open connection and stops listening: to the client, the engine went away. */
  cut(): Promise<void>;
}

/** The real engine's socket path, or undefined when DOCKER_HOST is not a unix socket (the proxy tests skip then). */
export function realEngineSocket(): string | undefined {
  const endpoint = parseDockerHost(chooseDockerHost(undefined, process.env), process.env);
  return typeof endpoint !== 'string' && endpoint.kind === 'unix' ? endpoint.socketPath : undefined;
}

/** Starts relaying a fresh unix socket (or, with `tcp`, 127.0.0.1 on a free port: `tcp://` for porter) to `engineSocket`. */
export async function startEngineProxy(engineSocket: string, tcp = false): Promise<EngineProxy> {
  const path = tcp ? undefined : join(await tempDir('porter-proxy-'), 'engine.sock');
  const open = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = createConnection(engineSocket);
    open.add(client).add(upstream);
    const drop = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.on('close', () => open.delete(client)).on('error', drop);
    upstream.on('close', () => open.delete(upstream)).on('error', drop);
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    if (path) server.listen(path, resolve);
    else server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  return {
    host: path ? `unix://${path}` : `tcp://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`,
    async cut() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of open) socket.destroy();
      await closed;
    },
  };
}
