/**
 * A real OpenSSH server of the test's own on 127.0.0.1 (its own config, host key, authorized key and pid file in a
 * temp dir), whose sessions reach a given Docker engine through DOCKER_HOST; and a client HOME with a key pair and
 * a known_hosts file, as a user of `ssh://` engines has them.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { tempDir } from './temp-dirs.js';

const run = promisify(execFile);
export const SSHD = '/usr/sbin/sshd';

export interface Sshd {
  port: number;
  /** `ssh://root@127.0.0.1:PORT`. */
  url: string;
  /** The host key line's type and base64 blob (`ssh-ed25519 AAAA…`). */
  hostKey: string;
  /** A client HOME: `.ssh/id_ed25519` authorized on the server, `.ssh/known_hosts` as given to `clientHome`. */
  clientHome(knownHosts: string): Promise<string>;
  stop(): Promise<void>;
}

/** Why sshd cannot run here, or undefined. */
export function sshdUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'sshd of its own needs root here';
  if (!existsSync(SSHD)) return `${SSHD} is missing (scripts/setup-docker installs openssh-server)`;
  return undefined;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  return typeof address === 'object' && address ? address.port : 0;
}

/**
 * Starts sshd for `dockerHost`. `forceCommand`: every session runs this instead (with the client's command in
 * $SSH_ORIGINAL_COMMAND), e.g. to take the docker CLI off its PATH.
 */
export async function startSshd(dockerHost: string, forceCommand?: string): Promise<Sshd> {
  const dir = await tempDir('porter-sshd-test-');
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'host_key')]);
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'client_key')]);
  await writeFile(join(dir, 'authorized_keys'), await readFile(join(dir, 'client_key.pub')));
  const port = await freePort();
  await mkdir('/run/sshd', { recursive: true });
  await writeFile(join(dir, 'sshd_config'), [
    `Port ${port}`, 'ListenAddress 127.0.0.1', `HostKey ${join(dir, 'host_key')}`, `PidFile ${join(dir, 'sshd.pid')}`,
    `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`, 'PasswordAuthentication no', 'KbdInteractiveAuthentication no',
    'PermitRootLogin prohibit-password', 'StrictModes no', 'UsePAM no', `SetEnv DOCKER_HOST=${dockerHost}`,
    ...(forceCommand ? [`ForceCommand ${forceCommand}`] : []), '',
  ].join('\n'));
  const child: ChildProcess = spawn(SSHD, ['-D', '-e', '-f', join(dir, 'sshd_config')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr?.on('data', (chunk: Buffer) => { log += chunk.toString(); });
  const exited = once(child, 'exit');
  for (let until = Date.now() + 10_000; ;) {
    if (child.exitCode !== null) throw new Error(`sshd exited at start: ${log}`);
    if (await run('ssh-keyscan', ['-p', String(port), '-t', 'ed25519', '127.0.0.1']).then((r) => r.stdout.includes('ssh-ed25519'), () => false)) break;
    if (Date.now() > until) throw new Error(`sshd did not answer within 10 s: ${log}`);
    await sleep(100);
  }
  const hostKey = (await readFile(join(dir, 'host_key.pub'), 'utf8')).trim().split(/\s+/).slice(0, 2).join(' ');
  return {
    port, url: `ssh://root@127.0.0.1:${port}`, hostKey,
    async clientHome(knownHosts) {
      const home = await tempDir('porter-ssh-home-test-');
      await mkdir(join(home, '.ssh'), { mode: 0o700 });
      await writeFile(join(home, '.ssh', 'id_ed25519'), await readFile(join(dir, 'client_key')), { mode: 0o600 });
      await writeFile(join(home, '.ssh', 'known_hosts'), knownHosts);
      return home;
    },
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
    },
  };
}
