import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { UsageError } from '../errors.js';
import {
  defaultAnswers, environmentProblem, renderInitConfig, renderSmokeDockerfile, serviceNameProblem, SMOKE_DOCKERFILE,
  withIgnoreEntry, type InitAnswers, type RepoFacts,
} from './init-plan.js';

/** Asks one question on the terminal; resolves to the answer as typed (empty for the default). */
export type Ask = (question: string) => Promise<string>;

export interface InitOptions {
  repoDir: string;
  /** Where the config goes, relative to the repo (default `.porter/config`). */
  configPath?: string;
  /** The schema file of this porter, for the editor line. */
  schemaFile: string;
  /** Set on a terminal: init asks; unset, it assumes the defaults. */
  ask?: Ask;
}

export interface InitResult {
  answers: InitAnswers;
  /** Files created, from the repo root. */
  created: string[];
  /** Ignore files that got the `.porter-tmp/` entry. */
  updated: string[];
}

const readText = (path: string): Promise<string | undefined> => readFile(path, 'utf8').catch(() => undefined);
const exists = (path: string): Promise<boolean> => stat(path).then(() => true, () => false);

async function repoFacts(repoDir: string): Promise<RepoFacts> {
  const pkg = await readText(join(repoDir, 'package.json'));
  let packageName: string | undefined;
  try {
    const name: unknown = pkg ? (JSON.parse(pkg) as { name?: unknown }).name : undefined;
    if (typeof name === 'string' && name) packageName = name;
  } catch {
    // A package.json that is not JSON names nothing; the directory does.
  }
  const dockerfile = await readText(join(repoDir, 'Dockerfile'));
  return { dirName: basename(repoDir), ...(packageName ? { packageName } : {}), ...(dockerfile !== undefined ? { dockerfile } : {}) };
}

/** Asks until the answer passes `problem` (empty takes the default). */
async function askFor(ask: Ask, question: string, fallback: string, problem: (v: string) => string | undefined): Promise<string> {
  let hint = '';
  for (;;) {
    const answer = (await ask(`${hint}${question} [${fallback}]: `)).trim() || fallback;
    const why = problem(answer);
    if (!why) return answer;
    hint = `"${answer}" will not do: ${why}.\n`;
  }
}

async function askYesNo(ask: Ask, question: string, fallback: boolean): Promise<boolean> {
  for (;;) {
    const answer = (await ask(`${question} [${fallback ? 'Y/n' : 'y/N'}]: `)).trim().toLowerCase();
    if (answer === '') return fallback;
    if (['y', 'yes'].includes(answer)) return true;
    if (['n', 'no'].includes(answer)) return false;
  }
}

/** The questions of a terminal session, each with the default init would assume without one. */
async function askAnswers(ask: Ask, defaults: InitAnswers, facts: RepoFacts): Promise<InitAnswers> {
  const serviceName = await askFor(ask, 'Service name', defaults.serviceName, serviceNameProblem);
  const environment = await askFor(ask, 'Environment to deploy to', defaults.environment, environmentProblem);
  const dockerfileIsService = facts.dockerfile !== undefined && (await askYesNo(ask, 'Is ./Dockerfile the service\'s container?', true));
  return { ...defaults, serviceName, environment, dockerfileIsService };
}

/** The `$schema=` reference: relative to the config when this porter's schema is inside the repo (a dev dependency), else its absolute path. */
function schemaRef(repoDir: string, configFile: string, schemaFile: string): string {
  const fromRepo = relative(repoDir, schemaFile);
  const inside = !fromRepo.startsWith('..') && !isAbsolute(fromRepo);
  return inside ? relative(dirname(configFile), schemaFile).split(sep).join('/') : schemaFile;
}

/**
 * `porter init`: writes `.porter/config` (valid as written, with an editor's schema line), the example hook list
 * `smoke` and its Dockerfile, and `.porter-tmp/` in `.gitignore` and `.dockerignore`. Never overwrites: an existing
 * config or example Dockerfile is exit 2 naming it, before anything is asked or written.
 */
export async function initService(opts: InitOptions): Promise<InitResult> {
  const configRel = opts.configPath ?? join('.porter', 'config');
  const configFile = resolve(opts.repoDir, configRel);
  const hookFile = join(opts.repoDir, SMOKE_DOCKERFILE);
  for (const [file, shown] of [[configFile, configRel], [hookFile, SMOKE_DOCKERFILE]] as const) {
    if (await exists(file)) {
      throw new UsageError(`porter init: ${shown} already exists in ${opts.repoDir}, and porter init never overwrites a file. Edit it, or move it away and run porter init again.`);
    }
  }
  const facts = await repoFacts(opts.repoDir);
  const defaults = defaultAnswers(facts);
  const answers = opts.ask ? await askAnswers(opts.ask, defaults, facts) : defaults;

  const created: string[] = [];
  const write = async (file: string, text: string): Promise<void> => {
    await mkdir(dirname(file), { recursive: true });
    // `wx`: created here or not at all, even if another process made it since the check above.
    await writeFile(file, text, { flag: 'wx' }).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'EEXIST') throw err;
      throw new UsageError(`porter init: ${relative(opts.repoDir, file)} appeared while porter init ran; it was not overwritten.`, { cause: err });
    });
    created.push(relative(opts.repoDir, file));
  };
  await write(hookFile, renderSmokeDockerfile());
  await write(configFile, renderInitConfig(answers, schemaRef(opts.repoDir, configFile, opts.schemaFile)));
  const updated: string[] = [];
  for (const name of ['.gitignore', '.dockerignore']) {
    const next = withIgnoreEntry(await readText(join(opts.repoDir, name)), '.porter-tmp/');
    if (next === undefined) continue;
    await writeFile(join(opts.repoDir, name), next);
    updated.push(name);
  }
  return { answers, created, updated };
}
