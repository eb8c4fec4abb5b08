/** Service repos for CLI tests: a committed git repo holding `.porter/config`, the hook fixtures and test scripts. */
import { cp, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { git } from './git-remote.js';
import { tempDir, writeTree, type FixtureTree } from './temp-dirs.js';

const hookFixtures = fileURLToPath(new URL('../fixtures/hooks/', import.meta.url));

/** Where each fixture of test/fixtures/hooks/ lands in a hook repo, for `dockerfile:` lines. */
export const HOOK = {
  runScript: '.porter/hooks/run-script/Dockerfile',
  printEnv: '.porter/hooks/print-env/Dockerfile',
  exit3: '.porter/hooks/exit-3/Dockerfile',
  buildFails: '.porter/hooks/build-fails/Dockerfile',
  ownContext: '.porter/hooks/own-context/Dockerfile',
} as const;

/** The fixtures whose container cannot start (the everyday mistakes of hook authors), each with what porter must say. */
export const CANNOT_START = [
  { fixture: 'cmd-missing', exitCode: 127, says: /\/usr\/local\/bin\/deploy-scirpt does not exist in the image\. Check CMD and ENTRYPOINT/ },
  { fixture: 'no-run-bit', exitCode: 126, says: /\/run\.sh is not executable \(mode 0644\): it has no run bit\. Add "RUN chmod \+x \/run\.sh"/ },
  { fixture: 'crlf-shebang', exitCode: 127, says: /\/run\.sh has Windows \(CRLF\) line endings/ },
  { fixture: 'unknown-user', exitCode: undefined, says: /its USER deployer does not exist in the image/ },
  { fixture: 'data-only', exitCode: undefined, says: /has no CMD or ENTRYPOINT, so there is nothing to run/ },
  { fixture: 'not-a-program', exitCode: 126, says: /\/notes\.txt is not a program the kernel can run: a script needs a #! line first/ },
] as const;

/** Where a fixture of test/fixtures/hooks/ lands in a hook repo. */
export const hookFixture = (name: string): string => `.porter/hooks/${name}/Dockerfile`;

/**
 * A temp git repo with one commit: every fixture of test/fixtures/hooks/ under `.porter/hooks/`, the
 * config, and `files` (scripts for the run-script fixture, env files...). Removed by `removeTempDirs`.
 */
export async function hookRepo(config: string, files: FixtureTree = {}): Promise<string> {
  const dir = await tempDir('porter-hooks-test-');
  await cp(hookFixtures, join(dir, '.porter', 'hooks'), { recursive: true });
  await writeTree(dir, { '.porter/config': config, ...files });
  git(dir, 'init', '--quiet', '--initial-branch=main');
  git(dir, 'add', '--all');
  git(dir, 'commit', '--quiet', '-m', 'service');
  return dir;
}

/** `git rev-parse --short HEAD`: what PORTER_SERVICE_VERSION must be. */
export function shortSha(dir: string): string {
  return git(dir, 'rev-parse', '--short', 'HEAD');
}

/** A hook running `scripts/<script>` through the run-script fixture, as YAML lines of a list. */
export function scriptHook(script: string, extra: Record<string, string | number | boolean | string[]> = {}, env: Record<string, string | null> = {}): string {
  const lines = [`  - dockerfile: ${HOOK.runScript}`];
  for (const [k, v] of Object.entries(extra)) {
    const value = Array.isArray(v) ? `[${v.join(', ')}]` : typeof v === 'string' ? JSON.stringify(v) : String(v);
    lines.push(`    ${k}: ${value}`);
  }
  lines.push('    environment:', `      HOOK_SCRIPT: scripts/${script}`);
  for (const [k, v] of Object.entries(env)) lines.push(`      ${k}:${v === null ? '' : ` ${JSON.stringify(v)}`}`);
  return lines.join('\n');
}

/** Reads a file the hooks wrote into the repo, or undefined when it is not there. */
export function readRepoFile(dir: string, path: string): Promise<string | undefined> {
  return readFile(join(dir, path), 'utf8').catch(() => undefined);
}
