/**
 * Registry credentials as Docker's own client keeps them: `$DOCKER_CONFIG/config.json` (else
 * `~/.docker/config.json`), as `docker login` or a CI's login step writes it. For a registry host, in the
 * order the docker CLI uses: its `credHelpers` entry, else the `credsStore`, else its `auths` entry. A
 * helper is the program `docker-credential-<name>` on PATH, asked with `get`. No config or no entry: no credentials.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../errors.js';
import type { RegistryAuth } from './engine.js';

type Env = Readonly<Record<string, string | undefined>>;

/** Credentials found for a registry, and the place they came from (for messages; never the secret). */
export interface FoundAuth {
  auth: RegistryAuth;
  from: string;
  /** The values to mask wherever porter prints. */
  secrets: string[];
}

interface ClientConfig {
  auths?: Record<string, { auth?: string; username?: string; password?: string; identitytoken?: string }>;
  credHelpers?: Record<string, string>;
  credsStore?: string;
}

const HUB_HOST = 'index.docker.io';
const HUB_SERVER = 'https://index.docker.io/v1/';
const HELPER_TIMEOUT_MS = 60_000;

/**
 * The host a registry reference (`host[:port][/path]`) names, as Docker keys credentials: Docker Hub's for a
 * first part without `.` or `:` that is not `localhost` (`team/app` is on Docker Hub), and for docker.io's names.
 */
export function registryHost(registry: string): string {
  const first = registry.replace(/^[a-z]+:\/\//i, '').split('/')[0] ?? '';
  const onHub = (!first.includes('.') && !first.includes(':') && first !== 'localhost') || ['docker.io', 'registry-1.docker.io', HUB_HOST].includes(first);
  return onHub ? HUB_HOST : first;
}

/** An `auths` key as Docker compares it: without scheme and path (`https://host:5000/v1/` → `host:5000`). */
export function authsKeyHost(key: string): string {
  return key.replace(/^[a-z]+:\/\//i, '').split('/')[0] ?? '';
}

/** Where Docker's client config is for porter's environment. */
export function clientConfigPath(env: Env): string {
  return join(env.DOCKER_CONFIG || join(env.HOME || homedir(), '.docker'), 'config.json');
}

/** The credentials for `registry` (undefined: none configured, push and pull anonymously). UsageError for a broken config or helper. */
export async function registryAuth(registry: string, env: Env, signal: AbortSignal): Promise<FoundAuth | undefined> {
  const path = clientConfigPath(env);
  const host = registryHost(registry);
  const config = await readClientConfig(path, registry);
  if (!config) return undefined;
  const helper = config.credHelpers?.[host] ?? config.credHelpers?.[host === HUB_HOST ? HUB_SERVER : host] ?? config.credsStore;
  // As for the docker CLI, a helper's answer is final: one that has nothing for the host means no credentials.
  if (helper) return fromHelper(helper, host, registry, path, env, signal);
  const key = Object.keys(config.auths ?? {}).find((k) => authsKeyHost(k) === host);
  if (key === undefined) return undefined;
  return fromAuthsEntry(config.auths?.[key] ?? {}, host, `${path} (auths."${key}")`, registry);
}

async function readClientConfig(path: string, registry: string): Promise<ClientConfig | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw brokenConfig(path, registry, (err as NodeJS.ErrnoException).code ?? String(err));
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not a JSON object');
    return parsed as ClientConfig;
  } catch (err) {
    throw brokenConfig(path, registry, err instanceof Error ? err.message : String(err));
  }
}

function brokenConfig(path: string, registry: string, why: string): UsageError {
  return new UsageError(`Cannot read Docker's client config ${path} (${why}), where porter looks for the credentials of the registry ${registry}. Fix it (docker login writes it), or point DOCKER_CONFIG at a directory with a good config.json.`);
}

function fromAuthsEntry(entry: NonNullable<ClientConfig['auths']>[string], host: string, from: string, registry: string): FoundAuth | undefined {
  const serveraddress = host === HUB_HOST ? HUB_SERVER : host;
  if (entry.identitytoken) return { auth: { identitytoken: entry.identitytoken, serveraddress }, from, secrets: [entry.identitytoken] };
  let { username, password } = entry;
  if (entry.auth) {
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon <= 0) throw new UsageError(`The credentials for the registry ${registry} in ${from} are not base64 of "user:password". Log in again (docker login ${host === HUB_HOST ? '' : host}).`);
    [username, password] = [decoded.slice(0, colon), decoded.slice(colon + 1)];
  }
  if (!username || !password) return undefined;
  return { auth: { username, password, serveraddress }, from, secrets: [password, ...(entry.auth ? [entry.auth] : [])] };
}

/** Asks `docker-credential-<helper> get`; undefined when it has no credentials for the host. */
function fromHelper(helper: string, host: string, registry: string, path: string, env: Env, signal: AbortSignal): Promise<FoundAuth | undefined> {
  const program = `docker-credential-${helper}`;
  const server = host === HUB_HOST ? HUB_SERVER : host;
  const from = `${program} (named in ${path})`;
  return new Promise((resolve, reject) => {
    const child = execFile(program, ['get'], { env: { ...env }, signal, timeout: HELPER_TIMEOUT_MS, encoding: 'utf8', maxBuffer: 1024 * 1024 }, (err, stdout, stderr) => {
      if (signal.aborted) return reject(signal.reason);
      const said = `${stdout}\n${stderr}`.trim();
      if (err && /credentials not found/i.test(said)) return resolve(undefined);
      if (err) {
        const why = (err as NodeJS.ErrnoException).code === 'ENOENT' ? `there is no ${program} on PATH` : `${program} failed: ${said.split('\n')[0] || err.message}`;
        return reject(new UsageError(`Cannot get the credentials of the registry ${registry}: ${why}. ${path} names the credential helper "${helper}" for it; install the helper, or change that config.`));
      }
      try {
        const answer = JSON.parse(stdout) as { Username?: string; Secret?: string };
        if (!answer.Secret) return resolve(undefined);
        const auth: RegistryAuth = answer.Username === '<token>'
          ? { identitytoken: answer.Secret, serveraddress: server }
          : { username: answer.Username ?? '', password: answer.Secret, serveraddress: server };
        resolve({ auth, from, secrets: [answer.Secret] });
      } catch {
        reject(new UsageError(`Cannot get the credentials of the registry ${registry}: ${program} did not answer with JSON. ${path} names the credential helper "${helper}" for it; check the helper.`));
      }
    });
    // A helper that is missing or exits before reading: its own error above says so.
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(server);
  });
}
