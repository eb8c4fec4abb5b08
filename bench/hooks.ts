/** The hook Dockerfiles the scenarios run, and the two ways of describing a list: porter's config, the floor's spec. */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FloorSpec } from './floor.js';
import { writeFiles } from './workspace.js';

export interface BenchHook {
  name: string;
  /** Files of the hook's directory (its build context), the Dockerfile among them. */
  files: Record<string, string>;
  concurrent?: boolean;
}

/** Prints one line and exits 0: the cheapest hook there is. */
export const trivialHook = (i: number): BenchHook => ({
  name: `h${i}`,
  files: { Dockerfile: `FROM busybox:latest\nCMD ["sh", "-c", "echo hook ${i}"]\n` },
});

/** Sleeps one second, in a concurrent group. */
export const sleeperHook = (i: number): BenchHook => ({
  name: `s${i}`,
  concurrent: true,
  files: { Dockerfile: `FROM busybox:latest\nCMD ["sh", "-c", "sleep 1; echo hook ${i} slept"]\n` },
});

/**
 * A hook shaped like real ones (a script copied in, a RUN step), with `nonce` in the script so no earlier
 * image or build cache matches: the image does not exist yet.
 */
export const freshHook = (i: number, nonce: string): BenchHook => ({
  name: `f${i}`,
  files: {
    Dockerfile: 'FROM busybox:latest\nCOPY hook.sh /hook.sh\nRUN chmod 0755 /hook.sh\nCMD ["/hook.sh"]\n',
    'hook.sh': `#!/bin/sh\necho hook ${i} ${nonce}\n`,
  },
});

/** Where a hook's files live under a repo. */
export const hookDir = (name: string): string => `.porter/hooks/${name}`;

/** The files of every hook, under `.porter/hooks/<name>/`. */
export function hookFiles(hooks: readonly BenchHook[]): Record<string, string> {
  const files: Record<string, string> = {};
  for (const hook of hooks) {
    for (const [path, text] of Object.entries(hook.files)) files[`${hookDir(hook.name)}/${path}`] = text;
  }
  return files;
}

/** `.porter/config` text running `hooks` as the list `list` (plus any extra YAML list entries). */
export function porterConfig(service: string, lists: Record<string, readonly BenchHook[] | string>): string {
  const out = [`service_name: ${service}`, 'hooks:'];
  for (const [list, hooks] of Object.entries(lists)) {
    out.push(`  ${list}:`);
    if (typeof hooks === 'string') {
      out.push(hooks);
      continue;
    }
    for (const hook of hooks) {
      out.push(`  - name: ${hook.name}`, `    dockerfile: ${hookDir(hook.name)}/Dockerfile`);
      if (hook.concurrent) out.push('    concurrent: true');
    }
  }
  return `${out.join('\n')}\n`;
}

/** Rewrites the hooks' files in place (for images that must not exist yet). */
export async function rewriteHooks(repoDir: string, hooks: readonly BenchHook[]): Promise<void> {
  await writeFiles(repoDir, hookFiles(hooks));
}

/** Writes the floor's spec for `hooks` under `repoDir`, tagging its images `<service>-floor-<hook>`; returns the file. */
export async function writeFloorSpec(
  file: string, mode: FloorSpec['mode'], repoDir: string, service: string, hooks: readonly BenchHook[],
): Promise<string> {
  const spec: FloorSpec = {
    mode, repoDir,
    labels: { 'porter.service': service, 'bench.side': 'floor' },
    hooks: hooks.map((h) => ({ contextDir: join(repoDir, hookDir(h.name)), dockerfile: 'Dockerfile', tag: `${service}-floor-${h.name}` })),
  };
  await writeFile(file, JSON.stringify(spec, null, 2));
  return file;
}
