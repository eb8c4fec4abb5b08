import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { hookEnvironment, secretValues, standardVariables } from '../../src/hooks/environment.js';
import { createMasker } from '../../src/hooks/mask.js';
import { parseOutputFile } from '../../src/hooks/outputs.js';
import { makeHook } from '../helpers/hook.js';

describe('hookEnvironment', () => {
  const standard = standardVariables({ serviceName: 'svc', serviceVersion: 'abc1234', list: 'pre_pack', scope: {}, outputPath: '/porter/output', attempt: 1 });

  it('gives the standard variables and leaves region ones out when there is no region', () => {
    assert.equal(standard.PORTER_SERVICE_NAME, 'svc');
    assert.equal(standard.PORTER_SERVICE_VERSION, 'abc1234');
    assert.equal(standard.PORTER_HOOK_NAME, 'pre_pack');
    assert.equal(standard.PORTER_OUTPUT, '/porter/output');
    assert.equal('PORTER_REGION' in standard, false);
    assert.equal('PORTER_ENVIRONMENT' in standard, false);
  });

  it('gives PORTER_HOOK_STATUS, the list status the hook started with, only when the runner knows it', { timeout: 5_000 }, () => {
    assert.equal('PORTER_HOOK_STATUS' in standard, false);
    for (const listStatus of ['passed', 'failed'] as const) {
      const vars = standardVariables({ serviceName: 'svc', serviceVersion: 'v', list: 'post_pack', scope: { listStatus }, outputPath: '/o', attempt: 1 });
      assert.equal(vars.PORTER_HOOK_STATUS, listStatus);
    }
  });

  it('layers env_file over standard and environment over env_file', () => {
    const env = hookEnvironment(standard, { A: 'file', B: 'file' }, [{ key: 'B', value: 'entry' }], () => undefined);
    assert.equal(env.A, 'file');
    assert.equal(env.B, 'entry');
  });

  it('passes KEY: from the lookup and leaves it out when unset', () => {
    const host: Record<string, string> = { HOSTVAR: 'h', SECRET_NOT_LISTED: 'x' };
    const env = hookEnvironment(standard, {}, [{ key: 'HOSTVAR', value: null }, { key: 'MISSING', value: null }], (k) => host[k]);
    assert.equal(env.HOSTVAR, 'h');
    assert.equal('MISSING' in env, false);
    assert.equal('SECRET_NOT_LISTED' in env, false);
  });

  it('collects the values of secret keys', () => {
    const hook = makeHook('pre_pack', 0, { secrets: ['TOKEN', 'EMPTY'] });
    assert.deepEqual(secretValues(hook, { TOKEN: 's3cr3t', EMPTY: '' }), ['s3cr3t']);
  });
});

describe('createMasker', () => {
  it('masks a secret wherever it appears, longest first, each line of a multi-line one too', () => {
    const mask = createMasker(['abc', 'abcdef', 'line one\nline two']);
    assert.equal(mask('x abcdef y abc'), 'x *** y ***');
    assert.equal(mask('got line two here'), 'got *** here');
    assert.equal(createMasker([''])('nothing'), 'nothing');
  });
});

describe('parseOutputFile', () => {
  it('reads KEY=value with = in the value and heredoc values', () => {
    const { values, warnings } = parseOutputFile('A=1\nURL=http://x/?a=b\nMULTI<<EOF\nl1\nl2\nEOF\nB=\n');
    assert.deepEqual(values, { A: '1', URL: 'http://x/?a=b', MULTI: 'l1\nl2', B: '' });
    assert.deepEqual(warnings, []);
  });
  it('warns with the line number of a malformed line and keeps going', () => {
    const { values, warnings } = parseOutputFile('ok=1\nnot a pair\n=x\nGOOD=2');
    assert.deepEqual(values, { ok: '1', GOOD: '2' });
    assert.equal(warnings.length, 2);
    assert.match(warnings[0] ?? '', /^line 2:/);
    assert.match(warnings[1] ?? '', /^line 3:/);
  });
  it('warns about an unterminated heredoc', () => {
    const { warnings } = parseOutputFile('X<<END\nabc\n');
    assert.match(warnings[0] ?? '', /line 1: X<<END has no closing END/);
  });
});
