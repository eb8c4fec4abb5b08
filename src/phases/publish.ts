import { createServer } from 'node:net';
import { randomInt } from 'node:crypto';
import { parseDockerHost } from '../docker/engine-host.js';

/** Where a region's published ports are bound and reached. */
export interface PublishAddress {
  /** The engine runs on this machine: ports bind to 127.0.0.1 and porter can check them before use. */
  local: boolean;
  bindIp: string;
  /** The host of stack URLs: 127.0.0.1, or the remote engine's host. */
  urlHost: string;
}

const LOOPBACK = /^(localhost|127\.\d+\.\d+\.\d+|::1)$/i;

/** For a local engine (unix socket, or tcp on loopback) 127.0.0.1; for a remote one, every interface of its host. */
export function publishAddress(engineHost: string, env: Readonly<Record<string, string | undefined>>): PublishAddress {
  const endpoint = parseDockerHost(engineHost, { ...env });
  if (typeof endpoint === 'string' || endpoint.kind === 'unix' || LOOPBACK.test(endpoint.hostname)) {
    return { local: true, bindIp: '127.0.0.1', urlHost: '127.0.0.1' };
  }
  return { local: false, bindIp: '0.0.0.0', urlHost: endpoint.hostname.includes(':') ? `[${endpoint.hostname}]` : endpoint.hostname };
}

/** A port free on 127.0.0.1 right now (the OS picks it); the engine may still lose a race for it, so callers retry. */
export function freeLocalPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('the OS gave no port'))));
    });
  });
}

/** A host port to try: free on this machine for a local engine; for a remote one, a random unprivileged port. */
export function pickHostPort(address: PublishAddress): Promise<number> {
  return address.local ? freeLocalPort() : Promise.resolve(randomInt(20_000, 32_768));
}
