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

/** What porter reads of config.json, anything that is not a string (or an object of them) left out. */
interface ClientConfig {
  auths: Record<string, unknown>;
  credHelpers: Record<string, string>;
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
  const config = await readClientConfig(path, `the registry ${registry}`);
  if (!config) return undefined;
  const helper = config.credHelpers[host] ?? config.credHelpers[serverOf(host)] ?? config.credsStore;
  // As for the docker CLI, a helper's answer is final: one that has nothing for the host means no credentials.
  if (helper) {
    const answer = await runHelper(helper, 'get', serverOf(host), env, signal);
    if (answer.ok) return fromHelperAnswer(answer.stdout, host, `docker-credential-${helper} (named in ${path})`);
    if (answer.notFound) return undefined;
    throw new UsageError(`Cannot get the credentials of the registry ${registry}: ${answer.why}. ${path} names the credential helper "${helper}" for it; install the helper, or change that config.`);
  }
  const key = Object.keys(config.auths).find((k) => authsKeyHost(k) === host);
  if (key === undefined) return undefined;
  return fromAuthsEntry(config.auths[key], host, `${path} (auths."${key}")`);
}

/** What a build sends as X-Registry-Config, so its FROM images can come from registries that want a login. */
export interface BuildLogins {
  /** Credentials by server (`host[:port]`, Docker Hub's `https://index.docker.io/v1/`). */
  configs: Record<string, RegistryAuth>;
  secrets: string[];
  /** Helpers that failed: their hosts are pulled from without a login. */
  warnings: string[];
}

/**
 * Every login of Docker's client config, as `docker build` sends them: the `auths` entries, everything the
 * `credsStore` lists, and each `credHelpers` host, a helper's entry winning. As for the docker CLI, a helper
 * that fails costs only its own hosts (a warning); a broken config.json is a UsageError.
 */
export async function buildLogins(env: Env, signal: AbortSignal): Promise<BuildLogins> {
  const out: BuildLogins = { configs: {}, secrets: [], warnings: [] };
  const path = clientConfigPath(env);
  const config = await readClientConfig(path, "the registries of a Dockerfile's FROM images");
  if (!config) return out;
  const add = (found: FoundAuth | undefined, host: string): void => {
    if (!found) return;
    out.configs[serverOf(host)] = found.auth;
    out.secrets.push(...found.secrets);
  };
  for (const [key, entry] of Object.entries(config.auths)) add(fromAuthsEntry(entry, authsKeyHost(key), `${path} (auths."${key}")`), authsKeyHost(key));
  const ask = async (helper: string, host: string): Promise<void> => {
    const answer = await runHelper(helper, 'get', serverOf(host), env, signal);
    if (answer.ok) add(fromHelperAnswer(answer.stdout, host, `docker-credential-${helper}`), host);
    else if (!answer.notFound) out.warnings.push(`${path} names the credential helper "${helper}" for ${host}, and ${answer.why}; builds pull from ${host} without a login.`);
  };
  if (config.credsStore) {
    const listed = await runHelper(config.credsStore, 'list', '', env, signal);
    if (!listed.ok) out.warnings.push(`${path} names the credential store "${config.credsStore}", and ${listed.why}; builds use only the other logins.`);
    else for (const server of Object.keys(parseJsonObject(listed.stdout) ?? {})) await ask(config.credsStore, authsKeyHost(server));
  }
  for (const [host, helper] of Object.entries(config.credHelpers)) await ask(helper, authsKeyHost(host));
  return out;
}

/** The logins of one porter command, each looked up once on first use (a credential helper can be slow). */
export interface CommandLogins {
  /** What every image build sends (see buildLogins). */
  forBuilds(): Promise<Record<string, RegistryAuth>>;
  /** One registry's login for pushes and Swarm pulls (see registryAuth). */
  forRegistry(registry: string): Promise<FoundAuth | undefined>;
}

/** Memoised logins; `onSecrets` receives every secret found, `onWarning` every build-time warning, once each. */
export function commandLogins(env: Env, signal: AbortSignal, onSecrets: (secrets: string[]) => void, onWarning: (text: string) => void): CommandLogins {
  let builds: Promise<Record<string, RegistryAuth>> | undefined;
  const registries = new Map<string, Promise<FoundAuth | undefined>>();
  return {
    forBuilds: () => (builds ??= buildLogins(env, signal).then((found) => {
      onSecrets(found.secrets);
      found.warnings.forEach(onWarning);
      return found.configs;
    })),
    forRegistry: (registry) => {
      let found = registries.get(registry);
      if (!found) {
        found = registryAuth(registry, env, signal).then((f) => {
          if (f) onSecrets(f.secrets);
          return f;
        });
        registries.set(registry, found);
      }
      return found;
    },
  };
}

/** Docker Hub's credentials are keyed by its v1 URL, every other registry's by its host. */
function serverOf(host: string): string {
  return host === HUB_HOST ? HUB_SERVER : host;
}

async function readClientConfig(path: string, purpose: string): Promise<ClientConfig | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw brokenConfig(path, purpose, (err as NodeJS.ErrnoException).code ?? String(err));
  }
  const parsed = parseJsonObject(text);
  if (parsed instanceof Error) throw brokenConfig(path, purpose, parsed.message);
  const object = (value: unknown): Record<string, unknown> => (typeof value === 'object' && value !== null && !Array.isArray(value) ? value as Record<string, unknown> : {});
  const helpers = Object.entries(object(parsed.credHelpers)).filter((e): e is [string, string] => typeof e[1] === 'string' && e[1] !== '');
  return {
    auths: object(parsed.auths), credHelpers: Object.fromEntries(helpers),
    ...(typeof parsed.credsStore === 'string' && parsed.credsStore ? { credsStore: parsed.credsStore } : {}),
  };
}

function parseJsonObject(text: string): Record<string, unknown> | Error {
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return new Error('not a JSON object');
    return parsed as Record<string, unknown>;
  } catch (err) {
    return err instanceof Error ? err : new Error(String(err));
  }
}

function brokenConfig(path: string, purpose: string, why: string): UsageError {
  return new UsageError(`Cannot read Docker's client config ${path} (${why}), where porter looks for the credentials of ${purpose}. Fix it (docker login writes it), or point DOCKER_CONFIG at a directory with a good config.json.`);
}

function fromAuthsEntry(value: unknown, host: string, from: string): FoundAuth | undefined {
  // Hand-edited configs hold anything: only strings count, as for the docker CLI's JSON decoding.
  if (typeof value !== 'object' || value === null) return undefined;
  const text = (key: string): string | undefined => (typeof (value as Record<string, unknown>)[key] === 'string' ? (value as Record<string, string>)[key] : undefined);
  const entry = { auth: text('auth'), username: text('username'), password: text('password'), identitytoken: text('identitytoken') };
  const serveraddress = serverOf(host);
  if (entry.identitytoken) return { auth: { identitytoken: entry.identitytoken, serveraddress }, from, secrets: [entry.identitytoken] };
  let { username, password } = entry;
  if (entry.auth) {
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon <= 0) throw new UsageError(`The credentials for the registry ${host} in ${from} are not base64 of "user:password". Log in again (docker login ${host === HUB_HOST ? '' : host}).`);
    [username, password] = [decoded.slice(0, colon), decoded.slice(colon + 1)];
  }
  if (!username || !password) return undefined;
  return { auth: { username, password, serveraddress }, from, secrets: [password, ...(entry.auth ? [entry.auth] : [])] };
}

/** A helper's `get` answer; undefined when it holds no secret. */
function fromHelperAnswer(stdout: string, host: string, from: string): FoundAuth | undefined {
  const answer = parseJsonObject(stdout) as { Username?: unknown; Secret?: unknown };
  if (typeof answer.Secret !== 'string' || !answer.Secret) return undefined;
  const serveraddress = serverOf(host);
  const auth: RegistryAuth = answer.Username === '<token>'
    ? { identitytoken: answer.Secret, serveraddress }
    : { username: typeof answer.Username === 'string' ? answer.Username : '', password: answer.Secret, serveraddress };
  return { auth, from, secrets: [answer.Secret] };
}

type HelperAnswer = { ok: true; stdout: string } | { ok: false; notFound: boolean; why: string };

/** Runs `docker-credential-<helper> <action>` with `input` on stdin; an answer that is not a JSON object is a failure. */
function runHelper(helper: string, action: 'get' | 'list', input: string, env: Env, signal: AbortSignal): Promise<HelperAnswer> {
  const program = `docker-credential-${helper}`;
  return new Promise((resolve, reject) => {
    const child = execFile(program, [action], { env: { ...env }, signal, timeout: HELPER_TIMEOUT_MS, encoding: 'utf8', maxBuffer: 1024 * 1024 }, (err, stdout, stderr) => {
      if (signal.aborted) return reject(signal.reason);
      if (!err && parseJsonObject(stdout) instanceof Error) return resolve({ ok: false, notFound: false, why: `${program} did not answer with JSON` });
      if (!err) return resolve({ ok: true, stdout });
      const said = `${stdout}\n${stderr}`.trim();
      const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
      resolve({ ok: false, notFound: /credentials not found/i.test(said), why: missing ? `there is no ${program} on PATH` : `${program} failed: ${said.split('\n')[0] || err.message}` });
    });
    // A helper that is missing or exits before reading: its own error above says so.
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(input);
  });
}
