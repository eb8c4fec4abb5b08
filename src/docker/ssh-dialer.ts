/**
 * The Docker API over ssh, as the docker CLI does it: one ssh connection per engine, each HTTP connection a
 * `docker system dial-stdio` run on the remote machine. The host key is checked against `~/.ssh/known_hosts`
 * (no way to turn that off); keys come from the ssh agent or `~/.ssh/id_*`.
 */
import { readFileSync } from 'node:fs';
import { Agent } from 'node:http';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { Duplex as DuplexStream, type Duplex } from 'node:stream';
import type { Client, ClientChannel, ConnectConfig } from 'ssh2';
import { EngineError } from '../errors.js';
import { checkHostKey, type HostKeyCheck } from './known-hosts.js';

export interface SshEndpoint {
  host: string;
  user?: string;
  hostname: string;
  port: number;
}

type Env = Record<string, string | undefined>;

const KEY_FILES = ['id_ed25519', 'id_ecdsa', 'id_rsa'];

function readOr(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

function hostKeyError(endpoint: SshEndpoint, check: Exclude<HostKeyCheck, 'known'>, knownHosts: string): EngineError {
  const name = endpoint.port === 22 ? endpoint.hostname : `[${endpoint.hostname}]:${endpoint.port}`;
  const text = check === 'unknown'
    ? `The ssh host key of ${name} (the Docker engine at ${endpoint.host}) is not in ${knownHosts}, so porter cannot tell it is that host. Check its fingerprint and add it (ssh-keyscan -H -p ${endpoint.port} ${endpoint.hostname} >> ${knownHosts}); porter never skips this check.`
    : `The ssh host key of ${name} (the Docker engine at ${endpoint.host}) does not match the one in ${knownHosts}: the host was reinstalled, or someone is in between. If the host's new key is genuine, replace its entry (ssh-keygen -R ${name}); porter never skips this check.`;
  return new EngineError(text);
}

function noDialStdio(endpoint: SshEndpoint, code: number | undefined, stderr: string): EngineError {
  const said = stderr.trim().split('\n')[0] ?? '';
  return new EngineError(
    `The machine at ${endpoint.host} cannot run \`docker system dial-stdio\` (exit ${code ?? '?'}${said ? `: ${said}` : ''}), which is how porter reaches its Docker engine over ssh. Install the docker CLI there (a version with dial-stdio, 18.09 or later) for the user ${endpoint.user ?? 'you log in as'}, or reach the engine over tcp:// instead.`,
  );
}

/** The ssh2 login for `endpoint`: agent from SSH_AUTH_SOCK, else the first of `~/.ssh/id_*`; the host key checked. */
function connectConfig(endpoint: SshEndpoint, env: Env, rejected: (e: EngineError) => void): ConnectConfig {
  const home = env.HOME ?? userInfo().homedir;
  const knownHosts = join(home, '.ssh', 'known_hosts');
  const privateKey = env.SSH_AUTH_SOCK ? undefined : KEY_FILES.map((f) => readOr(join(home, '.ssh', f))).find((k) => k !== undefined);
  return {
    host: endpoint.hostname, port: endpoint.port, username: endpoint.user ?? env.USER ?? userInfo().username,
    ...(env.SSH_AUTH_SOCK ? { agent: env.SSH_AUTH_SOCK } : {}), ...(privateKey ? { privateKey } : {}),
    readyTimeout: 20_000,
    hostVerifier: (key: Buffer): boolean => {
      const check = checkHostKey(readOr(knownHosts) ?? '', endpoint.hostname, endpoint.port, key);
      if (check !== 'known') rejected(hostKeyError(endpoint, check, knownHosts));
      return check === 'known';
    },
  };
}

/**
 * The channel as node:http wants a socket: its end held back until the remote command's exit status is known (OpenSSH
 * may send EOF before it), so a `docker` that cannot run is `refused(code, stderr)`, not "socket hang up"; and the
 * net.Socket methods keep-alive calls, as no-ops.
 */
function socketOver(channel: ClientChannel, refused: (code: number, stderr: string) => Error): Duplex {
  let stderr = '';
  const socket = new DuplexStream({
    read: () => { channel.resume(); },
    write: (chunk: Buffer, _encoding, done) => { channel.write(chunk, done); },
    final: (done) => { channel.end(); done(); },
    destroy: (err, done) => { channel.close(); done(err); },
  });
  channel.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString('utf8'); });
  channel.on('data', (chunk: Buffer) => { if (!socket.push(chunk)) channel.pause(); });
  channel.on('error', (err: Error) => socket.destroy(err));
  let code: number | undefined;
  channel.once('exit', (status: number | undefined) => { code = status; });
  channel.once('close', () => {
    // dial-stdio exits 0 when the HTTP connection is done; anything else is the remote refusing.
    if (code !== undefined && code !== 0) socket.destroy(refused(code, stderr));
    else socket.push(null);
  });
  const socketLike = socket as unknown as Record<string, unknown>;
  for (const method of ['setKeepAlive', 'setNoDelay', 'setTimeout', 'ref', 'unref']) socketLike[method] ??= () => socket;
  return socket;
}

/**
 * An HTTP agent whose connections are `docker system dial-stdio` channels over one ssh connection to `endpoint`,
 * opened on first use. Its failures are EngineErrors saying what to do (host key, login, no dial-stdio there).
 */
export function sshDialer(endpoint: SshEndpoint, env: Env): Agent {
  let client: Promise<Client> | undefined;
  const open = async (): Promise<Client> => {
    const { Client: SshClient } = await import('ssh2');
    const conn = new SshClient();
    let refusal: EngineError | undefined;
    return new Promise((resolve, reject) => {
      conn.once('ready', () => resolve(conn));
      conn.once('error', (err) => {
        client = undefined;
        reject(refusal ?? new EngineError(`Cannot log in to ${endpoint.host} over ssh (${err.message}). Add your key to ssh-agent (SSH_AUTH_SOCK) or ~/.ssh/id_ed25519, and check that ${endpoint.user ?? 'the user'} may log in there.`, { cause: err }));
      });
      conn.once('close', () => { client = undefined; });
      conn.connect(connectConfig(endpoint, env, (e) => { refusal = e; }));
    });
  };
  const agent = new Agent({ keepAlive: true });
  const dial = async (): Promise<Duplex> => {
    const conn = await (client ??= open());
    const channel = await new Promise<ClientChannel>((resolve, reject) => conn.exec('docker system dial-stdio', (err, ch) => (err ? reject(err) : resolve(ch))));
    return socketOver(channel, (code, stderr) => noDialStdio(endpoint, code, stderr));
  };
  // node:http calls createConnection(options, callback); a Duplex is a socket to it.
  (agent as unknown as { createConnection: (o: unknown, cb: (err: Error | null, s?: Duplex) => void) => void }).createConnection = (_o, cb) => {
    dial().then((s) => cb(null, s), (err: Error) => cb(err));
  };
  return agent;
}
