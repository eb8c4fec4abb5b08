/** What the phases hand each other in `.porter-tmp/`: JSON files a later CI job on the same workspace reads. */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { StateError } from '../errors.js';

export const StateFiles = {
  manifest: 'manifest.json',
  payload: 'payload.tar',
  /** The config as it stood after pre_pack hooks: provision, promote and prune read this copy. */
  config: 'config',
  provision: 'provision.json',
} as const;

/** A packed image as pushed to a registry (environment `registry`, or DOCKER_REGISTRY). */
export interface PushedImage {
  registry: string;
  /** `<registry>/<service>-<container>@sha256:…`: what Swarm services run. */
  ref: string;
}

export interface PackedImage {
  container: string;
  /** `<service>-<container>:<version>`. */
  tag: string;
  id: string;
  /** An inet container without `inet_port`: the single port its image EXPOSEs. */
  inetPort?: number;
  /** One per registry it was pushed to. */
  pushed?: PushedImage[];
}

/** `.porter-tmp/manifest.json`: what `build pack` made. */
export interface Manifest {
  service: string;
  version: string;
  /** ISO time. */
  created: string;
  images: PackedImage[];
}

export interface ProvisionedContainer {
  name: string;
  id: string;
  url?: string;
}

export interface ProvisionedRegion {
  region: string;
  dockerHost?: string;
  stackId: string;
  /** The stack's HTTP endpoint (its first inet container), when it has one. */
  url?: string;
  containers: ProvisionedContainer[];
}

/** One `build provision -e ENV`: the same stack id in every region. */
export interface ProvisionRecord {
  environment: string;
  stackId: string;
  version: string;
  created: string;
  regions: ProvisionedRegion[];
}

/** `.porter-tmp/provision.json`: the newest stack per environment, and the environment provisioned last. */
export interface ProvisionState {
  last?: string;
  environments: Record<string, ProvisionRecord>;
}

/** Writes JSON atomically (a reader never sees half a file). */
export async function writeJson(file: string, value: unknown): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  await writeFile(`${file}.tmp`, `${JSON.stringify(value, null, 2)}\n`);
  await rename(`${file}.tmp`, file);
}

async function readJson(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new StateError(`${file} is not valid JSON (was it edited by hand?). Delete it with \`porter build clean\` and run the pipeline again from \`porter build pack\`.`, { cause: err });
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The manifest of the last pack, or undefined when this workspace has packed nothing. */
export async function readManifest(tmpDir: string): Promise<Manifest | undefined> {
  const file = join(tmpDir, StateFiles.manifest);
  const data = await readJson(file);
  if (data === undefined) return undefined;
  if (!isObject(data) || typeof data.version !== 'string' || !Array.isArray(data.images)) {
    throw new StateError(`${file} is not a porter manifest. Run \`porter build pack\` again to write a new one.`);
  }
  return data as unknown as Manifest;
}

/** The manifest, or the exit-2 message saying to pack first. */
export async function requireManifest(tmpDir: string, next: string): Promise<Manifest> {
  const manifest = await readManifest(tmpDir);
  if (manifest) return manifest;
  throw new StateError(`Nothing is packed in this workspace (no ${join(tmpDir, StateFiles.manifest)}). Run \`porter build pack\` first, then \`${next}\`.`);
}

/** What provision recorded; empty when this workspace has provisioned nothing. */
export async function readProvisionState(tmpDir: string): Promise<ProvisionState> {
  const file = join(tmpDir, StateFiles.provision);
  const data = await readJson(file);
  if (data === undefined) return { environments: {} };
  if (!isObject(data) || !isObject(data.environments)) {
    throw new StateError(`${file} is not porter's provision record. Run \`porter build provision -e ENV\` again to write a new one.`);
  }
  return data as unknown as ProvisionState;
}

/** Records a provision as the environment's newest stack and the environment provisioned last. */
export async function recordProvision(tmpDir: string, record: ProvisionRecord): Promise<void> {
  const state = await readProvisionState(tmpDir);
  state.environments[record.environment] = record;
  state.last = record.environment;
  await writeJson(join(tmpDir, StateFiles.provision), state);
}
