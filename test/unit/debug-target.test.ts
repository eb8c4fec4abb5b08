import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findRun, parseTarget } from '../../src/commands/debug-target.js';
import type { PorterConfig } from '../../src/config/types.js';
import { UsageError } from '../../src/errors.js';
import { JOURNAL_FORMAT, type JournalFile } from '../../src/hooks/journal.js';
import type { JournalRun } from '../../src/hooks/journal-entry.js';
import { makeHook } from '../helpers/hook.js';

const config: PorterConfig = {
  file: '.porter/config', serviceName: 'svc', dockerName: 'svc', environments: [], ignoredKeys: [],
  hooks: {
    smoke: [makeHook('smoke', 0, { name: 'greet' }), makeHook('smoke', 1, { name: 'check' }), makeHook('smoke', 2, { name: 'never' })],
    pre_pack: [makeHook('pre_pack', 0)],
  },
};

function run(list: string, hook: string, fields: Partial<JournalRun> = {}): JournalRun {
  return {
    list, hook, index: 0, startedAt: '2025-01-01T00:00:00.000Z', durationMs: 1, status: 'passed', attempts: 1,
    image: { dockerfile: 'Dockerfile' }, env: {}, outputs: {}, repoRoot: { kind: 'bind', source: '/r', readOnly: false }, ...fields,
  };
}

function journal(runId: string, runs: JournalRun[], fields: Partial<JournalFile> = {}): JournalFile {
  return { format: JOURNAL_FORMAT, porter: '1.0.0', service: 'svc', command: `build hook -name ${runs[0]?.list ?? 'x'}`, runId, startedAt: '', serviceVersion: 'abc', runs, ...fields };
}

const find = (target: string, journals: JournalFile[], filter = {}) => findRun(parseTarget(target), filter, journals, config, '1.0.0');

/** The UsageError's message, failing when `work` does not throw one. */
function usage(work: () => unknown): string {
  try {
    work();
  } catch (err) {
    assert.ok(err instanceof UsageError, String(err));
    return err.message;
  }
  return assert.fail('expected a UsageError');
}

describe('parseTarget', () => {
  it('reads LIST/NAME and a default id, and shows the form for anything else', () => {
    assert.deepEqual(parseTarget('smoke/greet'), { list: 'smoke', hook: 'greet' });
    assert.deepEqual(parseTarget('pre_pack/pre_pack[0]'), { list: 'pre_pack', hook: 'pre_pack[0]' });
    assert.deepEqual(parseTarget('pre_pack[0]'), { list: 'pre_pack', hook: 'pre_pack[0]' });
    for (const bad of ['smoke', 'smoke/', '/greet']) assert.match(usage(() => parseTarget(bad)), /name the hook as LIST\/NAME/);
  });
});

describe('findRun', () => {
  const older = journal('m1-a', [run('smoke', 'greet', { exitCode: 1 }), run('smoke', 'check')]);
  const newer = journal('m2-b', [run('smoke', 'greet', { exitCode: 2 })]);

  it('takes the newest journal with a run of the hook', () => {
    assert.equal(find('smoke/greet', [newer, older]).run.exitCode, 2);
    assert.equal(find('smoke/check', [newer, older]).journal.runId, 'm1-a');
  });

  it('narrows by -e and --region, and picks the one region where it failed, saying so', () => {
    const regions = journal('m3-c', [
      run('smoke', 'greet', { environment: 'Stage', region: 'eu' }),
      run('smoke', 'greet', { environment: 'Stage', region: 'us', status: 'failed' }),
    ]);
    const found = find('smoke/greet', [regions, older], { environment: 'Stage' });
    assert.equal(found.run.region, 'us');
    assert.match(found.note ?? '', /ran in regions eu, us; replaying us, where it failed/);
    assert.equal(find('smoke/greet', [regions], { region: 'eu' }).run.region, 'eu');
    assert.match(usage(() => find('smoke/greet', [regions, older], { environment: 'Prod' })), /no record of smoke\/greet running with -e Prod/);
  });

  it('asks for --region when it ran in several regions and did not fail in exactly one', () => {
    const both = journal('m3-c', [run('smoke', 'greet', { region: 'eu' }), run('smoke', 'greet', { region: 'us' })]);
    assert.match(usage(() => find('smoke/greet', [both])), /last ran in regions eu, us .*say which with --region REGION/);
  });

  it('a hook that never ran: names the hooks that did, with their commands', () => {
    const message = usage(() => find('smoke/never', [newer, older]));
    assert.match(message, /no record of smoke\/never running/);
    assert.match(message, /Hooks that ran: smoke\/greet \(porter build hook -name smoke\); smoke\/check \(porter build hook -name smoke\)\./);
    assert.match(usage(() => find('smoke/never', [])), /no record of any hook run in this workspace/);
    assert.match(usage(() => find('smoke/greet', [older], { region: 'eu' })), /no record of smoke\/greet running with --region eu/);
  });

  it('an unknown list or name: a suggestion, and the hooks that ran', () => {
    assert.match(usage(() => find('smoek/greet', [older])), /defines no hook list smoek; did you mean smoke\? Hooks that ran: smoke\/greet/);
    assert.match(usage(() => find('smoke/greeet', [older])), /hook list smoke has no hook greeet; did you mean smoke\/greet\? Hooks that ran/);
    assert.match(usage(() => find('smoke/zzzzzz', [older])), /has no hook zzzzzz \(its hooks: greet, check, never\)/);
  });

  it('a journal of another service or porter version is not replayed: says which, and what to run again', () => {
    const otherVersion = journal('m4-d', [run('smoke', 'check')], { porter: '0.9.0' });
    assert.match(usage(() => find('smoke/check', [otherVersion])), /recorded for porter 0\.9\.0 \(this is porter 1\.0\.0\).*Run `porter build hook -name smoke` again/);
    const otherService = journal('m4-d', [run('smoke', 'check')], { service: 'old-name' });
    assert.match(usage(() => find('smoke/check', [otherService])), /recorded for service old-name \(the config now says svc\)/);
    // A usable older journal wins over a newer unusable one.
    assert.equal(find('smoke/greet', [otherService, older]).journal.runId, 'm1-a');
  });
});
