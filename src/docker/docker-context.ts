/**
 * The docker CLI's contexts, so porter talks to the engine `docker` itself talks to on a machine set up with
 * `docker context use` (Docker Desktop, colima, rootless Docker): DOCKER_CONTEXT, else config.json's
 * `currentContext`. Only when neither a region's docker_host nor DOCKER_HOST is set, as for the docker CLI.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { clientConfigPath } from './registry-auth.js';

type Env = Record<string, string | undefined>;

/** The context's engine as environment variables (DOCKER_HOST, and its TLS files as DOCKER_CERT_PATH), or why it cannot be used. */
export type ContextEnv = { env: Env; context?: string } | { problem: string };

/**
 * `env` with DOCKER_HOST (and DOCKER_CERT_PATH, DOCKER_TLS_VERIFY for a context with TLS files) taken from the
 * current docker context; `env` itself when docker_host or DOCKER_HOST is set, or the context is `default`.
 */
export function withDockerContext(dockerHost: string | undefined, env: Env): ContextEnv {
  if (dockerHost?.trim() || env.DOCKER_HOST?.trim()) return { env };
  const configPath = clientConfigPath(env);
  const fromEnv = env.DOCKER_CONTEXT?.trim();
  const name = fromEnv || currentContext(configPath);
  if (!name || name === 'default') return { env };
  const store = join(configPath, '..', 'contexts');
  const id = createHash('sha256').update(name).digest('hex');
  const named = fromEnv ? `DOCKER_CONTEXT names the docker context "${name}"` : `${configPath} makes "${name}" the current docker context`;
  let host: unknown;
  try {
    const meta = JSON.parse(readFileSync(join(store, 'meta', id, 'meta.json'), 'utf8')) as { Endpoints?: { docker?: { Host?: unknown } } } | null;
    host = meta?.Endpoints?.docker?.Host;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? `there is no such context in ${store}` : `its ${join(store, 'meta', id, 'meta.json')} cannot be read (${code ?? (err as Error).message})`;
    return { problem: `${named}, but ${why}. List them with docker context ls; or set DOCKER_HOST` };
  }
  if (typeof host !== 'string' || !host) return { problem: `${named}, but it names no Docker endpoint. Set DOCKER_HOST` };
  const tls = join(store, 'tls', id, 'docker');
  const withTls = existsSync(join(tls, 'ca.pem')) || existsSync(join(tls, 'cert.pem'));
  return { env: { ...env, DOCKER_HOST: host, ...(withTls ? { DOCKER_CERT_PATH: tls, DOCKER_TLS_VERIFY: '1' } : {}) }, context: name };
}

/** config.json's `currentContext`; a config that is missing or cannot be parsed has none (credentials report that one). */
function currentContext(configPath: string): string | undefined {
  try {
    const value = (JSON.parse(readFileSync(configPath, 'utf8')) as { currentContext?: unknown }).currentContext;
    return typeof value === 'string' ? value.trim() : undefined;
  } catch {
    return undefined;
  }
}
