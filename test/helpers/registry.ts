/** A private registry with a login, for the tests of porter's registry credentials: Debian's docker-registry (distribution). */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from './git-remote.js';
import { tempDir } from './temp-dirs.js';

/** The registry's one user. The hash below is bcrypt of this password (made once with `htpasswd -B`; the registry takes bcrypt only). */
export const REGISTRY_USER = 'porter-test';
export const REGISTRY_PASSWORD = 't-registry-secret';
export const REGISTRY_HTPASSWD = `${REGISTRY_USER}:$2y$05$EkCm6Y9wyzHeJpiZnQqtBe2eIIDthmgOdAU3m1U7axfa75wRd5sBe\n`;

/** `Authorization` for the test's own requests to the registry. */
export const registryAuthorization = `Basic ${Buffer.from(`${REGISTRY_USER}:${REGISTRY_PASSWORD}`).toString('base64')}`;

/** The lines of a docker-registry config.yml serving `addr` from `dir`, with the login above. */
export function registryConfig(addr: string, dir: string): string {
  return [
    'version: 0.1', 'log:', '  level: warn', 'storage:', '  filesystem:', `    rootdirectory: ${join(dir, 'data')}`,
    '  delete:', '    enabled: true', 'http:', `  addr: ${addr}`,
    'auth:', '  htpasswd:', '    realm: porter-test', `    path: ${join(dir, 'htpasswd')}`, '',
  ].join('\n');
}

/** True once the registry answers /v2/ at all (401 without a login). */
export async function registryAnswers(addr: string): Promise<boolean> {
  const status = await fetch(`http://${addr}/v2/`, { signal: AbortSignal.timeout(2_000) }).then((r) => r.status, () => 0);
  return status === 200 || status === 401;
}

/** A DOCKER_CONFIG directory whose config.json logs in to `addr` as the registry's user. */
export async function dockerConfigFor(addr: string): Promise<string> {
  const dir = await tempDir('porter-docker-config-test-');
  const auth = Buffer.from(`${REGISTRY_USER}:${REGISTRY_PASSWORD}`).toString('base64');
  await writeFile(join(dir, 'config.json'), `${JSON.stringify({ auths: { [`http://${addr}`]: { auth } } })}\n`);
  return dir;
}

/** docker-registry on 127.0.0.1 (a loopback registry: the engine speaks plain http to it) with the login above. */
export async function startRegistry(): Promise<{ addr: string; stop(): Promise<void> }> {
  const dir = await tempDir('porter-registry-test-');
  const addr = `127.0.0.1:${await freePort()}`;
  await writeFile(join(dir, 'htpasswd'), REGISTRY_HTPASSWD);
  await writeFile(join(dir, 'config.yml'), registryConfig(addr, dir));
  const log = createWriteStream(join(dir, 'registry.log'));
  const child = spawn('docker-registry', ['serve', join(dir, 'config.yml')], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  let failed: Error | undefined;
  child.on('error', (err) => { failed = err; });
  const exited = once(child, 'exit').catch(() => undefined);
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  for (let i = 0; i < 100 && !(await registryAnswers(addr)); i++) {
    if (child.exitCode !== null || failed) break;
    await sleep(100);
  }
  if (!(await registryAnswers(addr))) {
    await stop();
    throw new Error(`docker-registry did not answer on ${addr}${failed ? ` (${failed.message}; scripts/setup-docker installs it)` : ''}; see ${join(dir, 'registry.log')}`);
  }
  return { addr, stop };
}
