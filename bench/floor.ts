/**
 * The floor: the work porter does for a hook list, written straight against dockerode with no porter code —
 * for each hook: build its image (the engine's own layer cache decides what is rebuilt), create a container
 * with the repo bind-mounted at /repo_root, attach, start, wait, remove. In sequence, or all at once for a
 * group. Spawned as its own node process, like porter, so both pay node's start-up and dockerode's load.
 *
 *   node bench/dist/floor.js <spec.json>
 *
 * (bench/ is the one place besides src/docker/dockerode-engine.ts that imports dockerode: it is the point.)
 */
import { createWriteStream, existsSync, readdirSync, readFileSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import dockerignore from '@balena/dockerignore';
import { join, relative } from 'node:path';
import type { Readable } from 'node:stream';
import Docker from 'dockerode';

/** One hook as the floor sees it: where its Dockerfile is and what to call its image. */
export interface FloorHook {
  contextDir: string;
  dockerfile: string;
  tag: string;
}

/** A service image (pack): built after the hooks, then saved with the others into `payload`. */
export interface FloorImage extends FloorHook {
  buildArgs: Record<string, string>;
}

/** What the orchestrator hands the floor (as a JSON file). */
export interface FloorSpec {
  mode: 'sequence' | 'group';
  repoDir: string;
  labels: Record<string, string>;
  hooks: FloorHook[];
  /** Hooks whose repo mount is read-only, by tag. */
  readOnly?: string[];
  images?: FloorImage[];
  payload?: string;
  /** The engines to run the list on, all at once (porter's regions); default: the shared engine's socket. */
  socketPaths?: string[];
}

const trace = process.env.BENCH_TRACE === '1';
const t0 = performance.now();
const mark = (what: string): void => {
  if (trace) process.stderr.write(`${(performance.now() - t0).toFixed(1).padStart(8)} ms  ${what}\n`);
};

/** Every file under the context directory that its `.dockerignore` lets through, relative to it. */
function contextFiles(dir: string, dockerfile: string): string[] {
  const patterns = existsSync(join(dir, '.dockerignore')) ? readFileSync(join(dir, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#')) : [];
  const ignore = dockerignore.default({ ignorecase: false }).add([...patterns, `!${dockerfile}`, '!.dockerignore']);
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath ?? e.path, e.name)))
    .filter((path) => !ignore.ignores(path));
}

async function build(docker: Docker, hook: FloorHook, labels: Record<string, string>, buildargs: Record<string, string> = {}): Promise<void> {
  const stream = (await docker.buildImage(
    { context: hook.contextDir, src: contextFiles(hook.contextDir, hook.dockerfile) },
    { t: hook.tag, dockerfile: hook.dockerfile, labels, buildargs, rm: true, forcerm: true },
  )) as Readable;
  let rest = '';
  for await (const chunk of stream) {
    rest += String(chunk);
    const lines = rest.split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) {
      if (line.includes('"errorDetail"')) throw new Error(`build of ${hook.tag} failed: ${line}`);
    }
  }
}

async function run(docker: Docker, spec: FloorSpec, hook: FloorHook, n: number): Promise<number> {
  await build(docker, hook, spec.labels);
  mark(`built ${n}`);
  const container = await docker.createContainer({
    Image: hook.tag, Labels: spec.labels, WorkingDir: '/repo_root',
    Env: [`PORTER_HOOK_NAME=floor`, `PORTER_SERVICE_NAME=${spec.labels['porter.service'] ?? 'floor'}`],
    AttachStdout: true, AttachStderr: true, Tty: false,
    HostConfig: { Binds: [`${spec.repoDir}:/repo_root${spec.readOnly?.includes(hook.tag) ? ':ro' : ''}`] },
  });
  mark(`created ${n}`);
  try {
    const attached = (await container.attach({ stream: true, stdout: true, stderr: true })) as unknown as Readable;
    const ended = new Promise<void>((resolve) => attached.on('end', resolve).on('close', resolve));
    docker.modem.demuxStream(attached, process.stdout, process.stderr);
    mark(`attached ${n}`);
    await container.start();
    mark(`started ${n}`);
    const [exit] = (await Promise.all([container.wait(), ended])) as [{ StatusCode: number }, void];
    mark(`exited ${n}`);
    return exit.StatusCode;
  } finally {
    await container.remove({ force: true, v: true });
    mark(`removed ${n}`);
  }
}

async function main(): Promise<void> {
  const spec = JSON.parse(readFileSync(process.argv[2] ?? '', 'utf8')) as FloorSpec;
  const engines = (spec.socketPaths ?? ['/var/run/docker.sock']).map((socketPath) => new Docker({ socketPath }));
  const docker = engines[0] as Docker;
  mark('loaded');
  const runList = async (engine: Docker): Promise<number[]> => {
    if (spec.mode === 'group') return Promise.all(spec.hooks.map((hook, n) => run(engine, spec, hook, n)));
    const codes: number[] = [];
    for (const [n, hook] of spec.hooks.entries()) codes.push(await run(engine, spec, hook, n));
    return codes;
  };
  const codes = (await Promise.all(engines.map(runList))).flat();
  for (const image of spec.images ?? []) await build(docker, image, spec.labels, image.buildArgs);
  mark('images built');
  if (spec.payload && spec.images?.length) {
    // GET /images/get?names=...: dockerode has it (getImages), its typings do not.
    const save = docker as unknown as { getImages(opts: { names: string[] }): Promise<Readable> };
    const tar = await save.getImages({ names: spec.images.map((i) => i.tag) });
    await pipeline(tar, createWriteStream(spec.payload));
    mark('payload saved');
  }
  process.exitCode = codes.every((c) => c === 0) ? 0 : 1;
}

await main();
