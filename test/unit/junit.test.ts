import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { renderJUnit, xmlEscape } from '../../src/cli/junit.js';
import type { HookResult } from '../../src/events.js';

const r = (hook: string, status: HookResult['status'], extra: Partial<HookResult> = {}): HookResult => ({ list: 'pre_pack', hook, status, tail: [], durationMs: 1500, attempts: 1, ...extra });

describe('renderJUnit', () => {
  it('marks failures with their tail and skipped hooks as skipped', () => {
    const xml = renderJUnit([r('ok', 'passed'), r('bad', 'failed', { exitCode: 3, tail: ['boom <&>'] }), r('later', 'skipped', { region: 'us' })]);
    assert.match(xml, /<testsuite name="pre_pack" tests="3" failures="1" skipped="1"/);
    assert.match(xml, /<testcase classname="pre_pack" name="ok" time="1.500"\/>/);
    assert.match(xml, /<failure message="exited with code 3" type="failed">boom &lt;&amp;&gt;<\/failure>/);
    assert.match(xml, /name="later \(us\)"[^>]*>\s*<skipped\/>/);
  });
  it('escapes attribute characters and drops characters XML cannot hold', () => {
    assert.equal(xmlEscape('a"b\'c\u0001d'), 'a&quot;b&apos;cd');
  });
});
