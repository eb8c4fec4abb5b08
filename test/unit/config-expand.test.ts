import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expandString, makeLookup } from '../../src/config/expand.js';
import type { Expansion } from '../../src/config/expand.js';

const vars = makeLookup({ NAME: 'web', EMPTY: '', PORT: '8080', SHARED: 'from-process' }, { SHARED: 'from-dotenv', ONLY_DOTENV: 'dot' });

function value(e: Expansion): string {
  assert.ok(e.ok, e.ok ? '' : e.message);
  return e.value;
}

function failure(e: Expansion): string {
  assert.ok(!e.ok, 'expected the expansion to fail');
  return e.message;
}

describe('expandString', () => {
  it('expands ${VAR} and $VAR', () => {
    assert.equal(value(expandString('${NAME}-$NAME:$PORT', vars)), 'web-web:8080');
  });

  it('takes $NAME greedily up to the first character that cannot be in a name', () => {
    assert.equal(value(expandString('$NAME.tar $NAMEX', makeLookup({ NAME: 'a', NAMEX: 'b' }, {}))), 'a.tar b');
  });

  it('uses the default of ${VAR:-default} when the variable is unset or empty', () => {
    assert.equal(value(expandString('${MISSING:-fallback}', vars)), 'fallback');
    assert.equal(value(expandString('${EMPTY:-fallback}', vars)), 'fallback');
    assert.equal(value(expandString('${NAME:-fallback}', vars)), 'web');
  });

  it('uses the default of ${VAR-default} only when the variable is unset', () => {
    assert.equal(value(expandString('${EMPTY-fallback}', vars)), '');
    assert.equal(value(expandString('${MISSING-fallback}', vars)), 'fallback');
  });

  it('expands references inside a default, and keeps braces balanced', () => {
    assert.equal(value(expandString('${MISSING:-${NAME}-${ALSO:-x}}!', vars)), 'web-x!');
  });

  it('reads $$ as a literal $, also before a brace or a name', () => {
    assert.equal(value(expandString('cost: $$5, $${NAME}, $$NAME', vars)), 'cost: $5, ${NAME}, $NAME');
  });

  it('keeps a $ that starts no reference', () => {
    assert.equal(value(expandString('a $ b $1 c$', vars)), 'a $ b $1 c$');
  });

  it('prefers the process environment over .env, even when the process sets it empty', () => {
    assert.equal(value(expandString('$SHARED $ONLY_DOTENV', vars)), 'from-process dot');
    const emptyWins = makeLookup({ SHARED: '' }, { SHARED: 'from-dotenv' });
    assert.equal(value(expandString('[$SHARED]', emptyWins)), '[]');
    assert.equal(value(expandString('[$SHARED]', makeLookup({ SHARED: undefined }, { SHARED: 'dot' }))), '[dot]');
  });

  it('does not read inherited object properties as variables', () => {
    assert.match(failure(expandString('${constructor}', makeLookup({}, {}))), /\$\{constructor\} is not set/);
  });

  it('names an unset variable and the three ways out', () => {
    const message = failure(expandString('x-${TOKEN}-y', vars));
    assert.match(message, /^\$\{TOKEN\} is not set/);
    assert.match(message, /give a default with \$\{TOKEN:-value\}/);
    assert.match(message, /write \$\$ for a literal \$/);
    assert.match(failure(expandString('$TOKEN', vars)), /^\$\{TOKEN\} is not set/);
  });

  it('fails ${VAR:?message} with the message when the variable is unset or empty', () => {
    assert.match(failure(expandString('${EMPTY:?set EMPTY to the API key}', vars)), /\$\{EMPTY\} is required: set EMPTY to the API key/);
    assert.equal(value(expandString('${EMPTY?never}', vars)), '');
  });

  it('rejects an unclosed ${ and a malformed reference', () => {
    assert.match(failure(expandString('a ${NAME', vars)), /has no closing "\}"/);
    assert.match(failure(expandString('${}', vars)), /is not a valid reference/);
    assert.match(failure(expandString('${1X}', vars)), /is not a valid reference/);
    assert.match(failure(expandString('${NAME:+x}', vars)), /is not a valid reference/);
  });

  it('says whether anything was expanded', () => {
    const plain = expandString('no references', vars);
    assert.deepEqual(plain, { ok: true, value: 'no references', changed: false });
    const done = expandString('$NAME', vars);
    assert.ok(done.ok && done.changed);
  });
});
