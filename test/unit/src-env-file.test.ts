import assert from 'node:assert/strict';
import { test } from 'node:test';
import { malformedLine } from '../../src/phases/src-env-file.js';

test('malformedLine: good env files have none', () => {
  for (const text of [
    '', '\n', 'A=1\nB=two words\n', '# comment\n\nexport C=3\n', 'D: colon\n', 'E=\n', "F='single'\n", 'G="multi\nline\nvalue"\nH=after\n',
    'I="escaped \\" quote"\n', 'J.k-l=dotted\n',
  ]) assert.equal(malformedLine(text), undefined, JSON.stringify(text));
});

test('malformedLine: the first line dotenv would skip, counted from 1', () => {
  assert.equal(malformedLine('A=1\nnot an assignment\nB=2\n'), 2);
  assert.equal(malformedLine('=value\n'), 1);
  assert.equal(malformedLine('A=1\nB="never closed\nC=3\n'), 2);
  assert.equal(malformedLine('A B=1\n'), 1);
});
