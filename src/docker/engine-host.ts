/** Where the Docker engine is: config's `docker_host`, else DOCKER_HOST, else the local socket. */
import { join } from 'node:path';

export const defaultDockerHost = 'unix:///var/run/docker.sock';

/** A parsed endpoint; `host` is the string the user would recognise in a message. */
export type EngineEndpoint =
  | { kind: 'unix'; host: string; socketPath: string }
  | { kind: 'tcp'; host: string; protocol: 'http' | 'https'; hostname: string; port: number }
  | { kind: 'ssh'; host: string; user?: string; hostname: string; port: number };

/** TLS material named by DOCKER_CERT_PATH (files, read when the engine is first used). */
export interface TlsFiles {
  ca: string;
  cert: string;
  key: string;
}

/** Picks the endpoint string: `dockerHost` (from config) wins, then `env.DOCKER_HOST`, else the local socket. */
export function chooseDockerHost(dockerHost: string | undefined, env: Record<string, string | undefined>): string {
  const fromConfig = dockerHost?.trim();
  if (fromConfig) return fromConfig;
  const fromEnv = env.DOCKER_HOST?.trim();
  return fromEnv || defaultDockerHost;
}

/** True when the env asks for TLS the way the docker CLI reads it (DOCKER_TLS_VERIFY or DOCKER_TLS set, not "0"). */
export function wantsTls(env: Record<string, string | undefined>): boolean {
  const on = (v: string | undefined): boolean => v !== undefined && v !== '' && v !== '0' && v.toLowerCase() !== 'false';
  return on(env.DOCKER_TLS_VERIFY) || on(env.DOCKER_TLS);
}

/**
 * Parses `unix:///path`, `tcp://host:port`, `http(s)://host:port`, `ssh://[user@]host[:port]` or a bare `host:port`.
 * Returns the reason, as a phrase, for anything else (npipe://, fd://, garbage).
 */
export function parseDockerHost(value: string, env: Record<string, string | undefined>): EngineEndpoint | string {
  if (value.startsWith('unix://')) {
    const socketPath = value.slice('unix://'.length);
    if (!socketPath.startsWith('/')) return `a unix:// address needs an absolute socket path, e.g. ${defaultDockerHost}`;
    return { kind: 'unix', host: value, socketPath };
  }
  const withScheme = value.includes('://') ? value : `tcp://${value}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    return 'it is not an address; use unix:///path/to/docker.sock or tcp://host:port';
  }
  const scheme = url.protocol.slice(0, -1);
  if (scheme === 'ssh') {
    if (!url.hostname) return 'it names no host; use ssh://user@host[:port]';
    const user = decodeURIComponent(url.username);
    return { kind: 'ssh', host: value, ...(user ? { user } : {}), hostname: url.hostname.replace(/^\[(.*)\]$/, '$1'), port: url.port ? Number(url.port) : 22 };
  }
  if (scheme !== 'tcp' && scheme !== 'http' && scheme !== 'https') {
    return `porter does not support ${scheme}://; use unix://, tcp://, http://, https:// or ssh://`;
  }
  if (!url.hostname) return 'it names no host; use tcp://host:port';
  const tls = scheme === 'https' || (scheme === 'tcp' && (wantsTls(env) || url.port === '2376'));
  const fallbackPort = scheme === 'tcp' ? (tls ? 2376 : 2375) : scheme === 'https' ? 443 : 80;
  const port = url.port ? Number(url.port) : fallbackPort;
  const hostname = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return { kind: 'tcp', host: withScheme, protocol: tls ? 'https' : 'http', hostname, port };
}

/** The TLS files DOCKER_CERT_PATH names, when it is set and the endpoint speaks https. */
export function tlsFiles(endpoint: EngineEndpoint, env: Record<string, string | undefined>): TlsFiles | undefined {
  const dir = env.DOCKER_CERT_PATH?.trim();
  if (endpoint.kind !== 'tcp' || endpoint.protocol !== 'https' || !dir) return undefined;
  return { ca: join(dir, 'ca.pem'), cert: join(dir, 'cert.pem'), key: join(dir, 'key.pem') };
}
