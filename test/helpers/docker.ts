/** Integration-test plumbing: an engine or a loud skip (a failure under CI), unique labels, sweeping, temp contexts. */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { cp } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, test, type TestContext } from 'node:test';
import { createDockerEngine } from '../../src/docker/dockerode-engine.js';
import type { DockerEngine } from '../../src/docker/engine.js';
import { engineApi, engineList, labelQuery } from './engine-api.js';
import { tempDir, writeTree, type FixtureTree } from './temp-dirs.js';

export { removeTempDirs, tempDir, writeTree, type FixtureFile, type FixtureTree } from './temp-dirs.js';

export const fixturesDir = fileURLToPath(new URL('../fixtures/docker/', import.meta.url));

type Probe = { engine: DockerEngine } | { reason: string };
let probing: Promise<Probe> | undefined;

async function probe(): Promise<Probe> {
  const engine = createDockerEngine({ env: process.env });
  try {
    await engine.ping();
  } catch (err) {
    return { reason: err instanceof Error ? err.message : String(err) };
  }
  const busybox = await engineApi('GET', '/images/busybox:latest/json');
  if (busybox.status !== 200) return { reason: `the engine at ${engine.host} has no busybox:latest image` };
  return { engine };
}

/** Pings the engine once per process (and checks busybox:latest, which every fixture builds FROM). */
export function probeDocker(): Promise<Probe> {
  return (probing ??= probe());
}

function unavailable(what: string, reason: string): string {
  return `${what} needs a Docker engine: ${reason} Run scripts/setup-docker to start one.`;
}

/**
 * The engine for one test, or undefined after a loud skip. Under CI an unreachable engine fails the test:
 * a pipeline that silently skipped every Docker test would look green and prove nothing.
 */
export async function requireDocker(t: TestContext): Promise<DockerEngine | undefined> {
  const found = await probeDocker();
  if ('engine' in found) return found.engine;
  const message = unavailable(`"${t.name}"`, found.reason);
  if (process.env.CI) assert.fail(`CI is set, so this is a failure, not a skip. ${message}`);
  process.stderr.write(`\n*** SKIPPED ${message}\n\n`);
  t.skip(message);
  return undefined;
}

/** `describe` whose body gets the engine; without one: a loud skipped suite, or a failing test under CI. */
export async function describeDocker(name: string, body: (engine: DockerEngine) => void): Promise<void> {
  const found = await probeDocker();
  if ('engine' in found) {
    const { engine } = found;
    describe(name, () => body(engine));
    return;
  }
  const message = unavailable(`"${name}"`, found.reason);
  if (process.env.CI) {
    test(`${name}: a Docker engine answers`, () => assert.fail(`CI is set, so this is a failure, not a skip. ${message}`));
    return;
  }
  process.stderr.write(`\n*** SKIPPED ${message}\n\n`);
  describe(name, { skip: message }, () => {});
}

/** A short id unique to this test run, usable in labels, tags and names: `t-<10 hex>`. */
export function uniqueRunId(): string {
  return `t-${randomBytes(5).toString('hex')}`;
}

/** The labels everything a test creates carries, so `sweep` and `assertNothingLeft` can find it. */
export function testLabels(runId: string): Record<string, string> {
  return { 'porter.service': runId, 'porter.test-run': runId };
}

/** A build context in a fresh temp dir: a copy of `test/fixtures/docker/<name>` (if named) plus `files`. */
export async function fixtureContext(name: string | undefined, files: FixtureTree = {}): Promise<string> {
  const dir = await tempDir('porter-ctx-');
  if (name) await cp(join(fixturesDir, name), dir, { recursive: true });
  await writeTree(dir, files);
  return dir;
}

interface Listed {
  Id: string;
  Names?: string[];
  Name?: string;
  RepoTags?: string[] | null;
  Command?: string;
}

async function leftovers(labels: Record<string, string>): Promise<{ containers: Listed[]; networks: Listed[]; images: Listed[]; volumes: Listed[] }> {
  const q = labelQuery(labels);
  const [containers, networks, images, volumes] = await Promise.all([
    engineList<Listed>(`/containers/json?all=1&${q}`),
    engineList<Listed>(`/networks?${q}`),
    engineList<Listed>(`/images/json?${q}`),
    // The volume list is an object; porter's records (promotion history, run-once marks) are labelled volumes.
    engineApi('GET', `/volumes?${q}`).then((a) => ((a.body as { Volumes?: Listed[] | null }).Volumes ?? [])),
  ]);
  return { containers, networks, images, volumes };
}

/** Force-removes every container, network, volume and image carrying all of `labels` (refuses an empty filter). */
export async function sweep(labels: Record<string, string>): Promise<void> {
  assert.ok(Object.keys(labels).length > 0, 'sweep needs at least one label, or it would clear the whole engine');
  const { containers, networks, volumes } = await leftovers(labels);
  await Promise.all(containers.map((c) => engineApi('DELETE', `/containers/${c.Id}?force=1&v=1`)));
  await Promise.all(networks.map((n) => engineApi('DELETE', `/networks/${n.Id}`)));
  await Promise.all(volumes.map((v) => engineApi('DELETE', `/volumes/${v.Name ?? ''}?force=1`)));
  const { images } = await leftovers(labels);
  for (const image of images) await engineApi('DELETE', `/images/${image.Id}?force=1`);
}

/** Fails, naming them, when any container, network, volume or image with all of `labels` is still on the engine. */
export async function assertNothingLeft(labels: Record<string, string>): Promise<void> {
  const { containers, networks, images, volumes } = await leftovers(labels);
  const names = [
    ...volumes.map((v) => `volume ${v.Name ?? ''}`),
    ...containers.map((c) => `container ${c.Names?.join(',') ?? c.Id}`),
    ...networks.map((n) => `network ${n.Name ?? n.Id}`),
    ...images.map((i) => `image ${i.RepoTags?.join(',') || i.Id}`),
  ];
  assert.deepEqual(names, [], `left on the engine with labels ${JSON.stringify(labels)}`);
}

/** Called in a suite's body: once its tests are done, sweeps what carries `labels` and fails if anything is left. */
export function sweepAfterSuite(labels: Record<string, string>): void {
  after(async () => {
    await sweep(labels);
    await assertNothingLeft(labels);
  }, { timeout: 60_000 });
}

/** Containers (any state) whose command line contains `text`: how a test finds a build's unlabelled RUN container. */
export async function containersMentioning(text: string): Promise<string[]> {
  const all = await engineList<Listed>('/containers/json?all=1');
  return all.filter((c) => c.Command?.includes(text)).map((c) => c.Id);
}

/** Polls `check` until it returns true or `timeoutMs` passes; returns its last answer. */
export async function eventually(check: () => Promise<boolean>, timeoutMs = 10_000, everyMs = 200): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() >= until) return false;
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
