import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SecretSet } from '../../src/hooks/mask.js';
import { createPieceMasker } from '../../src/hooks/piece-masker.js';

/** Feeds `line` in pieces of `size` (the last one complete) and returns what would be shown, joined. */
function shown(secrets: SecretSet, line: string, size: number): string {
  const mask = createPieceMasker(secrets);
  const out: string[] = [];
  for (let at = 0; at < line.length; at += size) {
    const piece = mask(line.slice(at, at + size), at + size < line.length);
    if (piece !== undefined) out.push(piece);
  }
  return out.join('');
}

describe('createPieceMasker', () => {
  const secrets = new SecretSet();
  secrets.add(['s3cr3t-value', 'other\nline-two']);

  it('masks a secret wherever the piece boundaries fall, and loses nothing else', () => {
    const line = `${'x'.repeat(40)}s3cr3t-value${'y'.repeat(9)}line-two${'z'.repeat(3)}`;
    for (let size = 1; size <= line.length; size++) {
      assert.equal(shown(secrets, line, size), `${'x'.repeat(40)}***${'y'.repeat(9)}***${'z'.repeat(3)}`, `pieces of ${size}`);
    }
  });

  it('holds back no more than the longest secret could need', () => {
    const held = 'other\nline-two'.length - 1;
    const mask = createPieceMasker(secrets);
    assert.equal(mask('a'.repeat(100), true), 'a'.repeat(100 - held));
    assert.equal(mask('b', false), `${'a'.repeat(held)}b`);
  });

  it('passes complete lines straight to the masker', () => {
    assert.equal(createPieceMasker(secrets)('the s3cr3t-value here', false), 'the *** here');
    assert.equal(createPieceMasker(new SecretSet())('no secrets', true), 'no secrets');
  });
});
