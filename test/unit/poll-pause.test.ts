import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pollPause } from '../../src/phases/poll-pause.js';

test('pollPause doubles from 20 ms up to the steady pause, then stays there', () => {
  assert.deepEqual([0, 1, 2, 3, 4, 5, 40].map((check) => pollPause(check, 250)), [20, 40, 80, 160, 250, 250, 250]);
  assert.deepEqual([0, 4, 5, 6].map((check) => pollPause(check, 500)), [20, 320, 500, 500]);
});
