import assert from 'node:assert/strict';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { createJUnitCollector, renderJUnit, xmlEscape } from '../../src/cli/junit.js';
import { UsageError } from '../../src/errors.js';
import type { HookResult } from '../../src/events.js';
import { removeTempDirs, tempDir } from '../helpers/temp-dirs.js';

after(removeTempDirs);

const r = (list: string, hook: string, status: HookResult['status'], extra: Partial<HookResult> = {}): HookResult => ({ list, hook, status, tail: [], durationMs: 1500, attempts: 1, ...extra });

type Node = Record<string, unknown>;
const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', textNodeName: 'text', parseAttributeValue: false, isArray: (name) => ['testsuite', 'testcase'].includes(name) });

/** Parses with a real XML parser, after checking the document is well-formed. */
function parse(xml: string): { root: Node; suites: Node[] } {
  assert.equal(XMLValidator.validate(xml), true, xml);
  const doc = parser.parse(xml) as { testsuites: Node };
  return { root: doc.testsuites, suites: (doc.testsuites.testsuite as Node[] | undefined) ?? [] };
}
const cases = (suite: Node | undefined): Node[] => (suite?.testcase as Node[] | undefined) ?? [];

describe('renderJUnit', () => {
  const results = [
    r('pre_pack', 'lint', 'passed'),
    r('pre_pack', 'test', 'failed', { exitCode: 3, tail: ['line 1', 'boom <&> "quoted" \u0001ctl'] }),
    r('pre_pack', 'later', 'skipped', { durationMs: 0, attempts: 0 }),
    r('smoke', 'probe', 'timed-out', { region: 'us', message: 'smoke probe timed out after 1s and was killed.', tail: ['waiting'] }),
    r('smoke', 'probe', 'passed', { region: 'eu', durationMs: 250 }),
  ];

  it('is JUnit a real parser reads: a suite per list, a testcase per hook run named by hook and region', () => {
    const { root, suites } = parse(renderJUnit(results));
    assert.equal(root.name, 'porter');
    assert.deepEqual([root.tests, root.failures, root.skipped, root.errors], ['5', '2', '1', '0']);
    assert.deepEqual(suites.map((s) => [s.name, s.tests, s.failures, s.skipped]), [['pre_pack', '3', '1', '1'], ['smoke', '2', '1', '0']]);
    assert.deepEqual(suites.flatMap((s) => cases(s).map((c) => `${String(c.classname)} / ${String(c.name)} / ${String(c.time)}`)), [
      'pre_pack / lint / 1.500', 'pre_pack / test / 1.500', 'pre_pack / later / 0.000', 'smoke / probe (us) / 1.500', 'smoke / probe (eu) / 0.250',
    ]);
  });

  it('carries a failure\'s reason and last lines, and marks skipped hooks <skipped/>', () => {
    const { suites } = parse(renderJUnit(results));
    const [lint, test, later] = cases(suites[0]);
    assert.equal(lint?.failure, undefined);
    assert.deepEqual(test?.failure, { message: 'exited with code 3', type: 'failed', text: 'line 1\nboom <&> "quoted" ctl' });
    assert.equal(later?.skipped, '');
    const probe = cases(suites[1])[0]?.failure as Node;
    assert.equal(probe.type, 'timed-out');
    assert.equal(probe.message, 'smoke probe timed out after 1s and was killed.');
    assert.equal(probe.text, 'waiting');
  });

  it('records an error that ended the run as an <error> testcase, so the report says why', () => {
    const { root, suites } = parse(renderJUnit([], [{ exitCode: 2, message: 'The config has a problem; fix it and run again:\n  .porter/config:3: x: bad' }]));
    assert.equal(root.errors, '1');
    const [c] = cases(suites[0]);
    assert.equal(c?.classname, 'porter');
    assert.deepEqual(c?.error, { message: 'The config has a problem; fix it and run again:', type: 'exit 2', text: 'The config has a problem; fix it and run again:\n  .porter/config:3: x: bad' });
  });

  it('is well-formed with no results at all', () => {
    const { root, suites } = parse(renderJUnit([]));
    assert.equal(root.tests, '0');
    assert.deepEqual(suites, []);
  });

  it('escapes attribute characters and drops characters XML cannot hold', () => {
    assert.equal(xmlEscape('a"b\'c\u0001d'), 'a&quot;b&apos;cd');
  });
});

describe('createJUnitCollector', () => {
  it('writes the file from hook-end and error events, creating its directory', { timeout: 5000 }, async () => {
    const dir = await tempDir();
    const junit = createJUnitCollector('reports/porter.xml', dir);
    junit.emit({ type: 'hook-start', list: 'smoke', hook: 'a', attempt: 1 });
    junit.emit({ type: 'hook-end', result: r('smoke', 'a', 'cancelled', { attempts: 0, durationMs: 0 }) });
    junit.emit({ type: 'error', exitCode: 130, message: 'Interrupted.' });
    await junit.write();
    const { root, suites } = parse(await readFile(join(dir, 'reports/porter.xml'), 'utf8'));
    assert.deepEqual([root.tests, root.failures, root.errors], ['2', '1', '1']);
    assert.equal((cases(suites[0])[0]?.failure as Node).type, 'cancelled');
  });

  it('says which flag and path when the report cannot be written', { timeout: 5000 }, async () => {
    const dir = await tempDir();
    await mkdir(join(dir, 'taken.xml'));
    await assert.rejects(createJUnitCollector('taken.xml', dir).write(), (err: unknown) => {
      assert.ok(err instanceof UsageError);
      assert.match(err.message, /^--junit taken\.xml: cannot write the JUnit report to .*taken\.xml \(EISDIR\)/);
      return true;
    });
  });
});
