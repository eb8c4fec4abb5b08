/** The bench's scratch space: temp repos, a plugin remote, and removal of everything it put on the engine. */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import Docker from 'dockerode';

/** Every name the bench creates starts with this (services, tags, temp dirs). */
export const PREFIX = 't-bench-';

export interface Workspace {
  /** `t-bench-<hex>`: one bench run. */
  id: string;
  /** The temp dir holding every repo and file of this run. */
  root: string;
  docker: Docker;
  /** Service names used so far: the engine cleanup removes everything labelled with them. */
  services: Set<string>;
}

/** A fresh workspace under the OS temp dir. */
export async function openWorkspace(): Promise<Workspace> {
  const id = `${PREFIX}${randomBytes(3).toString('hex')}`;
  const root = await mkdtemp(join(tmpdir(), `${id}-`));
  return { id, root, docker: new Docker({ socketPath: '/var/run/docker.sock' }), services: new Set() };
}

const GIT_ENV = {
  PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: '/nonexistent', GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_AUTHOR_NAME: 'porter bench', GIT_AUTHOR_EMAIL: 'bench@porter.invalid',
  GIT_COMMITTER_NAME: 'porter bench', GIT_COMMITTER_EMAIL: 'bench@porter.invalid',
};

/** Runs git with no user config; returns its trimmed stdout. */
export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: GIT_ENV }).trim();
}

/** Writes `files` (paths relative to `dir`), creating parents. */
export async function writeFiles(dir: string, files: Record<string, string>): Promise<void> {
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), text);
  }
}

/** A service repo as a user has one: a git repo with one commit (porter reads its version from HEAD). */
export async function createRepo(ws: Workspace, name: string, files: Record<string, string>): Promise<string> {
  const dir = join(ws.root, name);
  await writeFiles(dir, files);
  git(dir, 'init', '--quiet', '--initial-branch=main');
  git(dir, 'add', '--all');
  git(dir, 'commit', '--quiet', '-m', 'bench');
  return dir;
}

/** A bare repo holding `files` at tag `tag`, as a plugin remote; returns its `file://` URL. */
export async function createPluginRemote(ws: Workspace, name: string, files: Record<string, string>, tag: string): Promise<{ url: string; bare: string }> {
  const work = await createRepo(ws, `${name}-work`, files);
  const bare = join(ws.root, `${name}.git`);
  git(ws.root, 'init', '--quiet', '--bare', bare);
  git(work, 'tag', tag);
  git(work, 'push', '--quiet', bare, 'main', `refs/tags/${tag}`);
  return { url: `file://${bare}`, bare };
}

/** A `git` first on PATH that appends each invocation's arguments to `log`, then runs the real one. */
export async function gitSpy(ws: Workspace): Promise<{ binDir: string; log: string }> {
  const realGit = execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim();
  const binDir = join(ws.root, 'spy-bin');
  const log = join(ws.root, 'git-calls.log');
  await mkdir(binDir, { recursive: true });
  await writeFile(log, '');
  await writeFile(join(binDir, 'git'), `#!/bin/sh\nprintf '%s\\n' "$*" >> '${log}'\nexec '${realGit}' "$@"\n`);
  await chmod(join(binDir, 'git'), 0o755);
  return { binDir, log };
}

/** Force-removes every container, image and network labelled with one of these services; returns what it removed. */
export async function removeFromEngine(docker: Docker, services: Iterable<string>): Promise<{ containers: number; images: number; networks: number }> {
  let containers = 0;
  let images = 0;
  let networks = 0;
  const filtersOf = [...services].map((service) => ({ label: [`porter.service=${service}`] }));
  // Every service's containers first: (h)'s floor runs porter's image, which is not removed while in use.
  for (const filters of filtersOf) {
    for (const c of await docker.listContainers({ all: true, filters })) {
      await docker.getContainer(c.Id).remove({ force: true, v: true }).catch(() => undefined);
      containers += 1;
    }
  }
  for (const filters of filtersOf) {
    for (const image of await docker.listImages({ all: true, filters })) {
      const names = (image.RepoTags ?? []).filter((t) => t !== '<none>:<none>');
      for (const name of names.length > 0 ? names : [image.Id]) {
        await docker.getImage(name).remove({ force: true }).catch(() => undefined);
      }
      images += 1;
    }
    for (const network of await docker.listNetworks({ filters })) {
      await docker.getNetwork(network.Id).remove().catch(() => undefined);
      networks += 1;
    }
  }
  return { containers, images, networks };
}

/** Removes the workspace's files (plugin checkouts are read-only, so modes are opened first). */
export async function removeWorkspaceFiles(ws: Workspace): Promise<void> {
  try {
    execFileSync('chmod', ['-R', 'u+w', ws.root], { stdio: 'ignore' });
  } catch {
    // Nothing there, or nothing read-only: rm below decides.
  }
  await rm(ws.root, { recursive: true, force: true });
}
