import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createLineSplitter } from '../../src/docker/line-splitter.js';

function split(chunks: Array<Buffer | string>, limit?: number): string[] {
  const lines: string[] = [];
  const splitter = createLineSplitter((l) => lines.push(l), limit);
  for (const chunk of chunks) splitter.write(chunk);
  splitter.end();
  return lines;
}

describe('createLineSplitter', () => {
  test('splits on newlines, keeps empty lines, drops \\r of CRLF, and delivers a last line without newline', () => {
    assert.deepEqual(split([Buffer.from('a\n\nb\r\nc')]), ['a', '', 'b', 'c']);
    assert.deepEqual(split([Buffer.from('only\n')]), ['only']);
    assert.deepEqual(split([]), []);
  });

  test('joins a line split across chunks, including inside a multi-byte character', () => {
    const bytes = Buffer.from('héllo wörld ✓ 😀\nnext');
    const oneByOne = Array.from(bytes, (b) => Buffer.from([b]));
    assert.deepEqual(split(oneByOne), ['héllo wörld ✓ 😀', 'next']);
  });

  test('turns invalid UTF-8 into U+FFFD instead of throwing', () => {
    assert.deepEqual(split([Buffer.from([0xff, 0xfe, 0x41, 0x0a, 0xc3])]), ['\ufffd\ufffdA', '\ufffd']);
  });

  test('cuts an over-long line into pieces no longer than the limit, never inside a surrogate pair', () => {
    assert.deepEqual(split(['abcdefghij\n'], 4), ['abcd', 'efgh', 'ij']);
    assert.deepEqual(split(['abcdefghij'], 4), ['abcd', 'efgh', 'ij']);
    const pieces = split(['a😀😀😀\n'], 2);
    assert.ok(pieces.every((p) => p.length <= 2));
    assert.equal(pieces.join(''), 'a😀😀😀');
    assert.ok(pieces.every((p) => !/[\ud800-\udbff]$/.test(p)), JSON.stringify(pieces));
  });

  test('keeps memory bounded: a long line without newline is handed out while it streams', () => {
    const lines: string[] = [];
    const splitter = createLineSplitter((l) => lines.push(l), 1000);
    for (let i = 0; i < 100; i += 1) splitter.write(Buffer.alloc(100, 'x'));
    assert.equal(lines.length, 9, 'pieces are delivered before the line ends; at most one limit is held back');
    splitter.end();
    assert.equal(lines.length, 10);
    assert.equal(lines.join('').length, 10_000);
  });

  test('end() is idempotent and writes after it are ignored', () => {
    const lines: string[] = [];
    const splitter = createLineSplitter((l) => lines.push(l));
    splitter.write('tail');
    splitter.end();
    splitter.end();
    splitter.write('late\n');
    assert.deepEqual(lines, ['tail']);
  });
});
