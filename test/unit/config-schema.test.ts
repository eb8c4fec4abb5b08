import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, describe, it } from 'node:test';
import { checkSchema } from '../../src/config/check-schema.js';
import { makeLookup } from '../../src/config/expand.js';
import { parseConfigText } from '../../src/config/parse.js';
import { assertSupported, configSchema, resolveRef, SCHEMA_URL } from '../../src/config/schema.js';
import type { Schema } from '../../src/config/schema.js';
import type { Place, TreeNode } from '../../src/config/tree.js';
import { DOCKERFILE, removeTempRepos, tempRepo } from '../fixtures/config/temp-repo.js';

after(removeTempRepos);

const scalar = (value: string | number | boolean | null, path = 'x', line = 1): TreeNode => ({ kind: 'scalar', value, text: String(value), line, path });

function check(node: TreeNode, schema: Schema): [Place, string][] {
  const found: [Place, string][] = [];
  checkSchema(node, schema, schema, (at, message) => found.push([at, message]));
  return found;
}

describe('the JSON Schema file', () => {
  it('is draft 2020-12 and uses only keywords the validator interprets', async () => {
    const raw: unknown = JSON.parse(await readFile(SCHEMA_URL, 'utf8'));
    assert.doesNotThrow(() => assertSupported(raw, '#'));
    assert.equal(configSchema().$schema, 'https://json-schema.org/draft/2020-12/schema');
  });

  it('makes the validator refuse a keyword it would silently ignore', () => {
    assert.throws(() => assertSupported({ properties: { a: { format: 'uri' } } }, '#'), /#\/properties\/a uses "format"/);
    assert.throws(() => assertSupported({ $ref: 'other.json#/x' }, '#'), /only #\/\$defs\/NAME/);
  });

  it('documents the defaults porter fills in', async () => {
    const schema = configSchema();
    const hook = resolveRef(schema, '#/$defs/hook').properties ?? {};
    const container = resolveRef(schema, '#/$defs/container').properties ?? {};
    const region = resolveRef(schema, '#/$defs/region').properties ?? {};
    const health = container.health_check?.properties ?? {};
    const repo = await tempRepo({ Dockerfile: DOCKERFILE });
    const text = 'service_name: a\nhooks: {pre_pack: [{dockerfile: Dockerfile}]}\nenvironments: [{name: S, regions: [{name: r, containers: [{name: w}]}]}]\n';
    const config = await parseConfigText(text, 'c', repo, makeLookup({}, {}));
    const h = config.hooks.pre_pack?.[0];
    const r = config.environments[0]?.regions[0];
    const c = r?.containers[0];
    assert.equal(h?.runCondition, hook.run_condition?.default);
    assert.equal(h?.concurrent, hook.concurrent?.default);
    assert.equal(h?.retries, hook.retries?.default);
    assert.equal(h?.repoRoot, hook.repo_root?.default);
    assert.equal(r?.orchestrator, region.orchestrator?.default);
    assert.equal(c?.dockerfile, container.dockerfile?.default);
    assert.equal(c?.replicas, container.replicas?.default);
    assert.equal(c?.healthCheck.method, health.method?.default);
    assert.equal(c?.healthCheck.path, health.path?.default);
    assert.equal(c?.healthCheck.timeoutMs, 60_000);
    assert.equal(health.timeout?.default, '60s');
  });

  it('gives every hook field a description for editors', () => {
    const hook = resolveRef(configSchema(), '#/$defs/hook').properties ?? {};
    const missing = Object.entries(hook).filter(([key, s]) => !s.description && key !== 'environment').map(([key]) => key);
    assert.deepEqual(missing, []);
  });
});

describe('checkSchema', () => {
  it('discriminates oneOf branches by type and reports the fitting branch only', () => {
    const schema: Schema = { oneOf: [{ type: 'object', additionalProperties: { type: 'string' } }, { type: 'array', items: { type: 'string' } }] };
    const list: TreeNode = { kind: 'seq', items: [scalar('a', 'x[0]'), scalar(3, 'x[1]', 2)], line: 1, path: 'x' };
    assert.deepEqual(check(list, schema), [[{ kind: 'scalar', value: 3, text: '3', line: 2, path: 'x[1]' }, 'must be a string, not an integer; quote it ("3") to make it a string.']]);
    assert.deepEqual(check(scalar(true), schema).map(([, m]) => m), ['must be a map or a list, not a boolean.']);
  });

  it('applies patternProperties, propertyNames and additionalProperties schemas', () => {
    const schema: Schema = {
      type: 'object', propertyNames: { pattern: '^[a-z]+$' },
      patternProperties: { '^x': { type: 'integer' } }, additionalProperties: { type: 'boolean' },
    };
    const map: TreeNode = { kind: 'map', line: 1, path: '', entries: [
      { key: 'xa', keyLine: 2, value: scalar('no', 'xa', 2) },
      { key: 'b', keyLine: 3, value: scalar(true, 'b', 3) },
      { key: 'C', keyLine: 4, value: scalar(false, 'C', 4) },
    ] };
    assert.deepEqual(check(map, schema).map(([at, m]) => `${at.line} ${at.path}: ${m}`), [
      '2 xa: must be a whole number, not a string.',
      '4 C: key "C" is invalid: it must match /^[a-z]+$/.',
    ]);
  });

  it('reads an expanded string as the number or boolean a schema asks for, and only then', () => {
    const port: TreeNode = { kind: 'scalar', value: '8080', text: '8080', line: 1, path: 'p', expanded: true };
    assert.deepEqual(check(port, { type: 'integer', maximum: 9000 }), []);
    assert.equal(port.kind === 'scalar' && port.value, 8080);
    assert.equal(check(scalar('8080'), { type: 'integer' }).length, 1);
    const flag: TreeNode = { kind: 'scalar', value: 'TRUE', text: 'TRUE', line: 1, path: 'f', expanded: true };
    assert.deepEqual(check(flag, { type: 'boolean' }), []);
  });

  it('counts an integer as a number, and not the other way round', () => {
    assert.deepEqual(check(scalar(3), { type: 'number' }), []);
    assert.equal(check(scalar(1.5), { type: 'integer' }).length, 1);
  });
});
