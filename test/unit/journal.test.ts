import assert from 'node:assert/strict';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { HookResult } from '../../src/events.js';
import { JOURNAL_KEEP, readJournals, RunJournal } from '../../src/hooks/journal.js';
import { journalRun, type FinishedRun } from '../../src/hooks/journal-entry.js';
import { SecretSet } from '../../src/hooks/mask.js';
import { makeHook } from '../helpers/hook.js';
import { removeTempDirs, tempDir } from '../helpers/temp-dirs.js';

after(() => removeTempDirs());

const result: HookResult = { list: 'deploy', hook: 'migrate', region: 'eu', status: 'failed', stage: 'run', exitCode: 3, tail: [], durationMs: 1200, attempts: 2 };

function finished(fields: Partial<FinishedRun> = {}): FinishedRun {
  return {
    hook: makeHook('deploy', 1, { name: 'migrate', secrets: ['TOKEN'] }),
    scope: { environment: 'Stage', region: 'eu' },
    result, startedAt: Date.UTC(2025, 0, 2, 3, 4, 5),
    image: { id: 'sha256:abc', hash: 'h1' },
    env: { PORTER_HOOK_NAME: 'deploy', TOKEN: 'tok-123456', URL: 'https://u:pw-987654@db', DB_ID: 'db-1', PASS_ON: 'pw-987654' },
    received: { DB_ID: 'db-1', PASS_ON: 'pw-987654' },
    repoRoot: { kind: 'bind', source: '/src/svc', readOnly: true },
    timeoutMs: 90_000,
    ...fields,
  };
}

describe('journalRun', () => {
  const secrets = new SecretSet();
  secrets.add(['pw-987654']);
  const mask = (text: string): string => secrets.mask(text);

  it('writes every variable, but a declared secret or a value holding a known secret only as null', () => {
    const run = journalRun(finished(), mask);
    assert.deepEqual(run.env, { PORTER_HOOK_NAME: 'deploy', TOKEN: null, URL: null, DB_ID: 'db-1', PASS_ON: null });
    assert.deepEqual(run.outputs, { DB_ID: 'db-1', PASS_ON: null });
    assert.doesNotMatch(JSON.stringify(run), /tok-123456|pw-987654/);
  });

  it('keeps what a replay needs: list, name, index, scope, image, mount, timeout and the result', () => {
    const run = journalRun(finished(), mask);
    assert.equal(run.list, 'deploy');
    assert.equal(run.hook, 'migrate');
    assert.equal(run.index, 1);
    assert.equal(run.environment, 'Stage');
    assert.equal(run.region, 'eu');
    assert.equal(run.startedAt, '2025-01-02T03:04:05.000Z');
    assert.deepEqual(run.image, { id: 'sha256:abc', hash: 'h1', dockerfile: 'Dockerfile' });
    assert.deepEqual(run.repoRoot, { kind: 'bind', source: '/src/svc', readOnly: true });
    assert.equal(run.timeoutMs, 90_000);
    assert.deepEqual([run.status, run.stage, run.exitCode, run.attempts, run.durationMs], ['failed', 'run', 3, 2, 1200]);
  });

  it('has no environment for a hook whose container never started, and hides a plugin repo\'s credentials', () => {
    const hook = makeHook('deploy', 0, { repo: 'https://bot:tk-55555@git.example/plugins.git', ref: 'v1', dockerfile: 'notify/Dockerfile' });
    const { env: _env, image: _image, ...rest } = finished();
    const run = journalRun({ ...rest, hook }, mask);
    assert.equal(run.env, undefined);
    assert.deepEqual(run.image, { dockerfile: 'notify/Dockerfile', repo: 'https://***@git.example/plugins.git', ref: 'v1' });
  });
});

describe('RunJournal', () => {
  const header = { porter: '9.9.9', service: 'svc', command: 'build hook -name deploy', serviceVersion: 'abc1234', startedAt: '2025-01-02T03:04:05.000Z' };

  it('writes its file after each run, readable only by its owner, with no secret value in it', async () => {
    const dir = join(await tempDir('porter-journal-test-'), 'runs');
    const secrets = new SecretSet();
    secrets.add(['pw-987654']);
    const journal = new RunJournal(dir, { ...header, runId: 'm0000001-aaaaaa' }, (t) => secrets.mask(t), () => assert.fail('no warning expected'));
    journal.record(finished());
    journal.record(finished({ result: { ...result, status: 'passed', exitCode: 0 } }));
    await journal.flush();
    const file = join(dir, 'm0000001-aaaaaa.json');
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    const text = await readFile(file, 'utf8');
    assert.doesNotMatch(text, /tok-123456|pw-987654/);
    const [read] = await readJournals(dir);
    assert.equal(read?.runs.length, 2);
    assert.equal(read?.service, 'svc');
    assert.equal(read?.porter, '9.9.9');
  });

  it(`keeps the newest ${JOURNAL_KEEP} journals, and reads them newest first, skipping a file that is not one`, async () => {
    const dir = join(await tempDir('porter-journal-test-'), 'runs');
    for (let i = 0; i < JOURNAL_KEEP + 5; i++) {
      const j = new RunJournal(dir, { ...header, runId: `m${String(i).padStart(7, '0')}-aaaaaa` }, (t) => t, () => undefined);
      j.record(finished());
      await j.flush();
    }
    await writeFile(join(dir, 'zz-cut-short.json'), '{"format": 1, "ser');
    const names = (await readdir(dir)).filter((n) => n.startsWith('m')).sort();
    assert.equal(names.length, JOURNAL_KEEP);
    assert.equal(names[0], `m${String(5).padStart(7, '0')}-aaaaaa.json`);
    const read = await readJournals(dir);
    assert.equal(read.length, JOURNAL_KEEP);
    assert.equal(read[0]?.runId, `m${String(JOURNAL_KEEP + 4).padStart(7, '0')}-aaaaaa`);
  });

  it('warns once, and does not throw, when the journal cannot be written', async () => {
    const blocker = join(await tempDir('porter-journal-test-'), 'runs');
    await writeFile(blocker, 'a file where the directory should be');
    const warnings: string[] = [];
    const journal = new RunJournal(blocker, { ...header, runId: 'm1-a' }, (t) => t, (w) => warnings.push(w));
    journal.record(finished());
    journal.record(finished());
    await journal.flush();
    assert.equal(warnings.length, 1);
    assert.match(warnings[0] ?? '', /cannot write the run journal/);
  });
});
