/**
 * `porter debug` on the real engine: the run journal every command writes (never a secret value in it), a replay
 * of a failing hook with the outputs it got then (the hook before it not run again), an interactive shell in a
 * real terminal (tmux), --keep and `build clean`, and the errors that name the hooks that did run.
 */
import assert from 'node:assert/strict';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test, type TestContext } from 'node:test';
import { describeDocker, removeTempDirs, sweepAfterSuite, uniqueRunId } from '../helpers/docker.js';
import { engineApi, engineList, labelQuery } from '../helpers/engine-api.js';
import { hookRepo, readRepoFile, scriptHook } from '../helpers/hook-repo.js';
import { hookLines, porterEnv, runPorter } from '../helpers/porter-cli.js';
import { openTerminal, tmuxMissing } from '../helpers/tmux.js';

const service = uniqueRunId();
const labels = { 'porter.service': service };
const TOKEN = 'tok-9f8e7d6c5b4a';
const root = fileURLToPath(new URL('../../', import.meta.url));

const config = `service_name: ${service}
hooks:
  smoke:
${scriptHook('make-id.sh', { name: 'make-id', secrets: ['TOKEN'] }, { TOKEN: null })}
${scriptHook('use-id.sh', { name: 'use-id', secrets: ['TOKEN'] }, { ID: null, PASS: null, TOKEN: null, PLAIN: 'plain-value' })}
${scriptHook('use-id.sh', { name: 'never' })}
`;
const scripts = {
  // The marker proves how often it ran; PASS holds the secret, so it is a secret output.
  'scripts/make-id.sh': 'echo ran >> /repo_root/marker\necho "ID=db-42" >> "$PORTER_OUTPUT"\necho "PASS=pass-$TOKEN" >> "$PORTER_OUTPUT"\n',
  'scripts/use-id.sh': 'echo "id=$ID token=$TOKEN pass=$PASS plain=$PLAIN"\necho "AFTER=replayed" >> "$PORTER_OUTPUT"\nexit 3\n',
};

interface Listed {
  Id: string;
  Names: string[];
  State: string;
  Labels: Record<string, string>;
}
const containers = (): Promise<Listed[]> => engineList<Listed>(`/containers/json?all=1&${labelQuery(labels)}`);
const journals = async (repo: string): Promise<string[]> => {
  const dir = join(repo, '.porter-tmp', 'runs');
  return Promise.all((await readdir(dir)).map((n) => readFile(join(dir, n), 'utf8')));
};
const porter = (repo: string, args: string[], env: Record<string, string | undefined> = {}) => runPorter(repo, args, { TOKEN, ...env });

/** The terminal test's tmux, or a loud skip (a failure under CI) when it is missing. */
function requireTmux(t: TestContext): boolean {
  const missing = tmuxMissing();
  if (!missing) return true;
  if (process.env.CI) assert.fail(`CI is set, so this is a failure, not a skip: ${missing}`);
  process.stderr.write(`\n*** SKIPPED "${t.name}": ${missing}\n\n`);
  t.skip(missing);
  return false;
}

/** porter debug in a real terminal, from the repo root of porter (as a user's shell would run it). */
const inTerminal = (repo: string, args: string) =>
  openTerminal(`cd ${root} && node --import tsx src/cli/main.ts -C ${repo} debug ${args}`, porterEnv({ TOKEN }));

after(() => removeTempDirs());

await describeDocker('porter debug', () => {
  sweepAfterSuite(labels);
  let repo = '';

  before(async () => {
    repo = await hookRepo(config, scripts);
    const first = await porter(repo, ['build', 'hook', '-name', 'smoke']);
    assert.equal(first.code, 1, first.stdout + first.stderr);
  }, { timeout: 120_000 });

  test('the journal has each hook run, outputs as received, and no secret value in any file', { timeout: 30_000 }, async () => {
    const texts = await journals(repo);
    assert.equal(texts.length, 1);
    for (const text of texts) assert.ok(!text.includes(TOKEN), `a secret is in the journal:\n${text}`);
    const journal = JSON.parse(texts[0] ?? '{}') as { service: string; runs: { hook: string; status: string; exitCode?: number; env?: Record<string, string | null>; outputs: Record<string, string | null>; image: { id?: string } }[] };
    assert.equal(journal.service, service);
    assert.deepEqual(journal.runs.map((r) => [r.hook, r.status, r.exitCode]), [['make-id', 'passed', 0], ['use-id', 'failed', 3]]);
    const useId = journal.runs[1];
    assert.deepEqual(useId?.outputs, { ID: 'db-42', PASS: null });
    assert.equal(useId?.env?.TOKEN, null);
    assert.equal(useId?.env?.PLAIN, 'plain-value');
    assert.match(useId?.image.id ?? '', /^sha256:[0-9a-f]{64}$/);
  });

  test('replays the failing hook with the outputs it got then, secrets re-read, the hook before it not run again; after pack reset the outputs too', { timeout: 120_000 }, async () => {
    const outputsBefore = await readRepoFile(repo, '.porter-tmp/outputs.json');
    const r = await porter(repo, ['debug', 'smoke/use-id']);
    assert.equal(r.code, 3, r.stdout + r.stderr);
    assert.deepEqual(hookLines(r.stdout, 'smoke use-id'), ['id=db-42 token=*** pass=*** plain=plain-value']);
    assert.ok(!r.stdout.includes(TOKEN) && !r.stderr.includes(TOKEN));
    assert.match(r.stdout, /outputs of earlier hooks as they were then: ID, PASS/);
    assert.match(r.stdout, /wrote AFTER to \$PORTER_OUTPUT; porter debug does not record outputs/);
    assert.equal(await readRepoFile(repo, '.porter-tmp/outputs.json'), outputsBefore, 'a replay changes no output');

    const pack = await porter(repo, ['build', 'pack']);
    assert.equal(pack.code, 0, pack.stdout + pack.stderr);
    assert.equal(await readRepoFile(repo, '.porter-tmp/outputs.json'), '{}');
    assert.equal((await journals(repo)).length, 1, 'build pack keeps the journal');
    // The image is gone too (another run pruned it): the same Dockerfile is built again.
    const image = (JSON.parse((await journals(repo))[0] ?? '{}') as { runs: { image: { id: string } }[] }).runs[1]?.image.id ?? '';
    assert.equal((await engineApi('DELETE', `/images/${image}?force=1`)).status, 200);
    const later = await porter(repo, ['debug', 'smoke/use-id']);
    assert.equal(later.code, 3, later.stdout + later.stderr);
    // ID as it was then; PASS held a secret, so only the outputs (gone now) had its value.
    assert.deepEqual(hookLines(later.stdout, 'smoke use-id'), ['id=db-42 token=*** pass= plain=plain-value']);
    assert.match(later.stdout, /secret PASS cannot be re-read .*not passed/);
    assert.match(later.stdout, /its image \(sha256:[0-9a-f]{12}\) was removed since it ran: building it from \.porter\/hooks\/run-script\/Dockerfile/);

    assert.equal(await readRepoFile(repo, 'marker'), 'ran\n', 'make-id ran once: at the first run, never at a replay');
    assert.deepEqual(await containers(), [], 'nothing left on the engine');
    assert.equal((await journals(repo)).length, 1, 'a replay records no journal of its own');
  });

  test('a hook that never ran, an unknown name, a journal of another porter version, --shell without a terminal: exit 2 naming the hooks that ran', { timeout: 60_000 }, async () => {
    const never = await porter(repo, ['debug', 'smoke/never']);
    assert.equal(never.code, 2, never.stdout + never.stderr);
    assert.match(never.stderr, /no record of smoke\/never running.*Hooks that ran: smoke\/make-id, smoke\/use-id \(porter -C \S+ build hook -name smoke\)/);
    const typo = await porter(repo, ['debug', 'smoke/use-di']);
    assert.equal(typo.code, 2);
    assert.match(typo.stderr, /has no hook use-di; did you mean smoke\/use-id\? Hooks that ran: smoke\/make-id, smoke\/use-id/);
    const noTerminal = await porter(repo, ['debug', 'smoke/use-id', '--shell']);
    assert.equal(noTerminal.code, 2);
    assert.match(noTerminal.stderr, /an interactive shell needs a terminal/);

    const dir = join(repo, '.porter-tmp', 'runs');
    const [name] = await readdir(dir);
    const file = join(dir, name ?? '');
    const text = await readFile(file, 'utf8');
    await writeFile(file, text.replace(/"porter": "[^"]+"/, '"porter": "0.0.1"'));
    try {
      const old = await porter(repo, ['debug', 'smoke/use-id']);
      assert.equal(old.code, 2);
      assert.match(old.stderr, /recorded for porter 0\.0\.1 \(this is porter [^)]+\), which this porter cannot replay exactly\. Run `porter -C \S+ build hook -name smoke` again/);
    } finally {
      await writeFile(file, text);
    }
  });

  test('--shell: an interactive sh in the hook\'s container on a real terminal, its size followed, Ctrl-C to the shell; nothing left', { timeout: 120_000 }, async (t) => {
    if (!requireTmux(t)) return;
    const term = await inTerminal(repo, 'smoke/use-id --shell');
    try {
      await term.waitFor(/\/repo_root # $/m);
      term.type('echo "id=$ID tok=$TOKEN plain=$PLAIN size=$(stty size)"; cat marker');
      term.send('Enter');
      await term.waitFor(new RegExp(`^id=db-42 tok=${TOKEN} plain=plain-value size=30 100\\nran$`, 'm'));
      term.resize(90, 25);
      term.type('stty size');
      term.send('Enter');
      await term.waitFor(/^25 90$/m);
      term.type('sleep 300');
      term.send('Enter');
      await new Promise((r) => setTimeout(r, 500));
      term.send('C-c');
      term.type('echo "still in the shell"');
      term.send('Enter');
      await term.waitFor(/^still in the shell$/m);
      assert.doesNotMatch(term.screen(), /exit=/, 'Ctrl-C reached the shell, not porter');
      term.type('exit 7');
      term.send('Enter');
      await term.waitFor(/^exit=7$/m);
    } finally {
      term.close();
    }
    assert.deepEqual(await containers(), []);
  });

  test('--keep leaves the container (stopped after a replay, running after a shell), named and labelled; build clean removes them', { timeout: 180_000 }, async (t) => {
    const kept = await porter(repo, ['debug', 'smoke/use-id', '--keep']);
    assert.equal(kept.code, 3, kept.stdout + kept.stderr);
    const name = /Kept the container (\S+) \(stopped\)/.exec(kept.stdout)?.[1];
    assert.ok(name, kept.stdout);
    let left = await containers();
    assert.deepEqual(left.map((c) => [c.Names[0], c.State, c.Labels['porter.debug']]), [[`/${name}`, 'exited', 'kept']]);

    if (requireTmux(t)) {
      const term = await inTerminal(repo, 'smoke/use-id --shell --keep');
      try {
        await term.waitFor(/\/repo_root # $/m);
        term.type('exit');
        term.send('Enter');
        await term.waitFor(/Kept the container \S+, still running.*\nexit=0$/m);
      } finally {
        term.close();
      }
      left = await containers();
      assert.deepEqual(left.map((c) => c.State).sort(), ['exited', 'running']);
    }

    // Another command's start-up clean-up leaves kept containers alone (they belong to no porter process).
    const again = await porter(repo, ['build', 'hook', '-name', 'smoke']);
    assert.equal(again.code, 1);
    assert.equal((await containers()).length, left.length);
    const clean = await porter(repo, ['build', 'clean']);
    assert.equal(clean.code, 0, clean.stdout + clean.stderr);
    assert.deepEqual(await containers(), []);
  });
});
