import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ProcessOwner } from '../context.js';
import { Label } from '../docker/labels.js';
import { ownerState } from './abandoned-containers.js';

/** The file in a run's scratch dir (`.porter-tmp/run/<runId>/`) naming the porter process that owns it. */
const OWNER_FILE = '.owner';

/** Creates this run's scratch dir and records its owner, so a later run can tell a killed run's scratch from a live run's. */
export async function claimScratch(dir: string, owner: ProcessOwner): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, OWNER_FILE), JSON.stringify({ [Label.pid]: String(owner.pid), [Label.host]: owner.host }));
}

/**
 * Removes the scratch dirs under `runDir` left by porter processes of this host that no longer exist (killed, or forced
 * out by a second Ctrl-C); a live run's, another host's and unmarked ones stay. Returns how many went.
 */
export async function removeAbandonedScratch(runDir: string, owner: ProcessOwner): Promise<number> {
  let removed = 0;
  for (const name of await readdir(runDir).catch(() => [] as string[])) {
    const recorded = await readFile(join(runDir, name, OWNER_FILE), 'utf8').then((t) => JSON.parse(t) as unknown, () => undefined);
    if (!recorded || typeof recorded !== 'object') continue;
    if (ownerState(recorded as Record<string, string>, owner) !== 'dead') continue;
    await rm(join(runDir, name), { recursive: true, force: true });
    removed += 1;
  }
  return removed;
}
