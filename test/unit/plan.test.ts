import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { initialStatus, isEligible, planHookList } from '../../src/hooks/plan.js';
import { makeHook } from '../helpers/hook.js';

/** Renders a plan as `1 | 2+3 | 4`: `|` between steps, `+` inside a concurrent group. */
function shape(concurrent: boolean[]): string {
  const hooks = concurrent.map((c, i) => makeHook('pre_pack', i, { name: String(i + 1), concurrent: c }));
  return planHookList(hooks)
    .map((step) => step.hooks.map((h) => h.id).join('+') + (step.concurrent ? '' : ''))
    .join(' | ');
}

describe('planHookList', () => {
  const table: Array<[string, boolean[], string]> = [
    ['documented example: [1, 2 concurrent, 3] runs all serially', [false, true, false], '1 | 2 | 3'],
    ['documented example: [1, 2 c, 3 c, 4] runs 2 with 3', [false, true, true, false], '1 | 2+3 | 4'],
    ['a lone concurrent hook at the start runs alone', [true, false], '1 | 2'],
    ['a group at the end', [false, true, true, true], '1 | 2+3+4'],
    ['two groups split by a serial hook', [true, true, false, true, true], '1+2 | 3 | 4+5'],
    ['every hook concurrent is one group', [true, true, true], '1+2+3'],
    ['nothing concurrent', [false, false], '1 | 2'],
    ['empty list', [], ''],
  ];
  for (const [name, flags, expected] of table) {
    it(name, () => assert.equal(shape(flags), expected));
  }

  it('marks only groups of two or more as concurrent', () => {
    const hooks = [true, false, true, true].map((c, i) => makeHook('x', i, { concurrent: c }));
    assert.deepEqual(planHookList(hooks).map((s) => s.concurrent), [false, false, true]);
  });
});

describe('isEligible', () => {
  it('matches run conditions to the status', () => {
    assert.equal(isEligible('pass', 'passed'), true);
    assert.equal(isEligible('pass', 'failed'), false);
    assert.equal(isEligible('fail', 'passed'), false);
    assert.equal(isEligible('fail', 'failed'), true);
    assert.equal(isEligible('always', 'passed'), true);
    assert.equal(isEligible('always', 'failed'), true);
  });
});

describe('initialStatus', () => {
  it('gives post_ lists the body status and everything else passed', () => {
    assert.equal(initialStatus('post_pack', 'failed'), 'failed');
    assert.equal(initialStatus('post_pack', 'passed'), 'passed');
    assert.equal(initialStatus('pre_pack', 'failed'), 'passed');
    assert.equal(initialStatus('smoke'), 'passed');
  });
});
