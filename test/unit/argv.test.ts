import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { rewriteGoFlags } from '../../src/cli/argv.js';

describe('rewriteGoFlags', () => {
  it('turns the original single-dash long flags into double-dash ones', () => {
    assert.deepEqual(rewriteGoFlags(['build', 'hook', '-name', 'smoke', '-e', 'Stage']), ['build', 'hook', '--name', 'smoke', '-e', 'Stage']);
    assert.deepEqual(rewriteGoFlags(['-name=smoke', '-keep', '2', '-stack', 'abc']), ['--name=smoke', '--keep', '2', '--stack', 'abc']);
  });
  it('leaves short flags, double-dash flags and unknown words alone', () => {
    assert.deepEqual(rewriteGoFlags(['-C', 'dir', '--name', 'x', '-q', '-xyz']), ['-C', 'dir', '--name', 'x', '-q', '-xyz']);
  });
  it('stops at --', () => {
    assert.deepEqual(rewriteGoFlags(['-name', 'a', '--', '-name']), ['--name', 'a', '--', '-name']);
  });
});
