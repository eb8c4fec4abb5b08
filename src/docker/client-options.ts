/** The connection options handed to docker-modem, shielded from its own reading of process.env. */
import { readFile } from 'node:fs/promises';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { EngineError } from '../errors.js';
import { tlsFiles, type EngineEndpoint } from './engine-host.js';

/** The subset of docker-modem's constructor options porter sets; `undefined` values are deliberate. */
export interface ClientOptions {
  socketPath: string | undefined;
  host: string | undefined;
  port: number | undefined;
  protocol: 'http' | 'https' | undefined;
  ca: Buffer | undefined;
  cert: Buffer | undefined;
  key: Buffer | undefined;
  timeout: number | undefined;
  version: string | undefined;
  pathPrefix: string;
  /** Set only for a client that opens a new connection per request (no keep-alive). */
  agent?: HttpAgent;
}

/**
 * The options for `endpoint` (see endpointOptions). `fresh`: a new connection per request, for asking whether the
 * engine still accepts connections at all — a stopping engine answers on the ones it has open.
 */
export async function clientOptions(endpoint: EngineEndpoint, env: Record<string, string | undefined>, fresh = false): Promise<ClientOptions> {
  const options = await endpointOptions(endpoint, env);
  if (!fresh || endpoint.kind === 'ssh') return options;
  return { ...options, agent: options.protocol === 'https' ? new HttpsAgent({ keepAlive: false }) : new HttpAgent({ keepAlive: false }) };
}

/**
 * Options for one endpoint, TLS files read from DOCKER_CERT_PATH when it speaks https.
 * docker-modem lays its options over its own reading of process.env (DOCKER_HOST, DOCKER_TLS_VERIFY, DOCKER_CERT_PATH,
 * DOCKER_CLIENT_TIMEOUT, DOCKER_PATH_PREFIX), so every key it could set is named, even as undefined: otherwise a
 * DOCKER_HOST in the environment silently beats the config's docker_host, and a client timeout kills long runs.
 */
async function endpointOptions(endpoint: EngineEndpoint, env: Record<string, string | undefined>): Promise<ClientOptions> {
  const base: ClientOptions = {
    socketPath: undefined, host: undefined, port: undefined, protocol: undefined, ca: undefined,
    cert: undefined, key: undefined, timeout: undefined, version: undefined, pathPrefix: '/',
  };
  if (endpoint.kind === 'unix') return { ...base, socketPath: endpoint.socketPath };
  if (endpoint.kind === 'ssh') {
    // Each HTTP connection is a `docker system dial-stdio` over ssh; the host name is only the request's Host header.
    const { sshDialer } = await import('./ssh-dialer.js');
    return { ...base, host: 'docker', port: 80, protocol: 'http', agent: sshDialer(endpoint, env) };
  }
  const tcp: ClientOptions = { ...base, host: endpoint.hostname, port: endpoint.port, protocol: endpoint.protocol };
  const files = tlsFiles(endpoint, env);
  if (!files) return tcp;
  try {
    const [ca, cert, key] = await Promise.all([readFile(files.ca), readFile(files.cert), readFile(files.key)]);
    return { ...tcp, ca, cert, key };
  } catch (err) {
    throw new EngineError(
      `Cannot read the TLS files for the Docker engine at ${endpoint.host} (${(err as Error).message}). ` +
        'Point DOCKER_CERT_PATH at a directory holding ca.pem, cert.pem and key.pem.',
      { cause: err },
    );
  }
}
