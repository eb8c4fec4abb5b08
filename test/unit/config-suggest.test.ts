import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { didYouMean, editDistance, suggest } from '../../src/config/suggest.js';
import { durationProblem, parseDuration } from '../../src/config/duration.js';
import { redactUrl } from '../../src/git/redact.js';

const HOOK_KEYS = ['name', 'dockerfile', 'repo', 'ref', 'environment', 'env_file', 'run_condition', 'concurrent', 'timeout', 'retries'];

describe('suggest', () => {
  it('counts a transposition as one edit', () => {
    assert.equal(editDistance('run_conditon', 'run_condition'), 1);
    assert.equal(editDistance('ab', 'ba'), 1);
    assert.equal(editDistance('', 'abc'), 3);
  });

  it('finds the key a misspelling meant', () => {
    assert.equal(suggest('run_conditon', HOOK_KEYS), 'run_condition');
    assert.equal(suggest('enviroment', HOOK_KEYS), 'environment');
    assert.equal(suggest('dockerflie', HOOK_KEYS), 'dockerfile');
    assert.equal(suggest('Run-Condition', HOOK_KEYS), 'run_condition');
  });

  it('suggests nothing for a word that is not close', () => {
    assert.equal(suggest('image', HOOK_KEYS), undefined);
    assert.equal(suggest('x', HOOK_KEYS), undefined);
    assert.equal(didYouMean('zzzzzz', HOOK_KEYS), '');
    assert.equal(didYouMean('reff', HOOK_KEYS), '; did you mean ref?');
  });
});

describe('parseDuration', () => {
  const cases: [string, number | undefined][] = [
    ['500ms', 500], ['90s', 90_000], ['10m', 600_000], ['1h30m', 5_400_000], ['1.5h', 5_400_000],
    ['2m30s', 150_000], ['0s', 0], ['90', undefined], ['', undefined], ['10 m', undefined],
    ['-5s', undefined], ['1d', undefined], ['s', undefined], ['10mss', undefined],
  ];
  for (const [text, ms] of cases) {
    it(`reads "${text}" as ${String(ms)}`, () => assert.equal(parseDuration(text), ms));
  }

  it('refuses a zero or over-long timeout with advice', () => {
    assert.match(durationProblem('0s') ?? '', /is zero/);
    assert.match(durationProblem('25h') ?? '', /longer than 24h/);
    assert.match(durationProblem('soon') ?? '', /500ms, 90s, 10m or 1h30m/);
    assert.equal(durationProblem('24h'), undefined);
  });
});

describe('redactUrl', () => {
  it('hides the userinfo of every URL and nothing else', () => {
    assert.equal(redactUrl('https://user:tok3n@example.com/a.git'), 'https://***@example.com/a.git');
    assert.equal(redactUrl('see ssh://git@host/x and http://a:b@c/d'), 'see ssh://***@host/x and http://***@c/d');
    assert.equal(redactUrl('git@github.com:org/repo.git'), 'git@github.com:org/repo.git');
  });
});
