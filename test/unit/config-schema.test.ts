import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, describe, it } from 'node:test';
import { stringify } from 'yaml';
import { checkSchema } from '../../src/config/check-schema.js';
import { makeLookup } from '../../src/config/expand.js';
import { parseConfigText } from '../../src/config/parse.js';
import { assertSupported, configSchema, resolveRef, SCHEMA_URL } from '../../src/config/schema.js';
import type { Schema } from '../../src/config/schema.js';
import type { Place, TreeNode } from '../../src/config/tree.js';
import { ConfigError } from '../../src/errors.js';
import { configProblems, DOCKERFILE, removeTempRepos, tempRepo } from '../fixtures/config/temp-repo.js';

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

  it('ships in the package at the path the editor modeline names (node_modules/porter/schema/...)', async () => {
    const pkg = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as { name: string; files: string[] };
    assert.equal(pkg.name, 'porter');
    assert.ok(pkg.files.includes('schema'));
    assert.equal(SCHEMA_URL.href, new URL('../../schema/porter-config.schema.json', import.meta.url).href);
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

/** The original porter's AWS-only keys, accepted on environments and regions. */
const AWS_ONLY = {
  stack_definition_path: 'cfn.json', role_arn: '${DEPLOYMENT_ROLE_ARN}', instance_type: 'm3.medium', autowire_security_groups: true,
  haproxy: { compression: true }, elb: 'web', elbs: [{ name: 'web', tag: 'x' }], vpc_id: 'vpc-12345678', azs: [{ name: 'us-west-2a' }],
  ssl_cert_arn: 'arn', hosted_zone_name: 'example.com.', key_pair_name: 'k', s3_bucket: 'b', sse_kms_key_id: 'arn',
  auto_scaling_group: { secrets_exec_name: 'x', secrets_exec_args: ['y'] },
};

/** A config using every property the schema declares, each with a value other than its default. */
const FULL = {
  service_name: 'full', porter_version: 'v1', hook_timeout: '10m', repo_transfer: 'copy', 'x-notes': 'ignored', _anchors: 'ignored too',
  slack: Object.fromEntries(['pack', 'provision', 'promote'].flatMap((p) => ['success', 'failure'].map((r) => [`${p}_${r}_webhook_url`, `https://hooks.example.com/${p}/${r}`]))),
  containers: [{ name: 'api', inet_port: 9000 }],
  hooks: {
    pre_pack: [
      { name: 'lint', dockerfile: 'hooks/Dockerfile', environment: { A: '1', B: null }, env_file: 'hooks/.env', run_condition: 'always', concurrent: true, timeout: '90s', retries: 1, retry_on: ['timeout'], build_args: { NODE: '20' }, secrets: ['A'], repo_root: 'ro' },
      { name: 'notify', repo: 'https://example.com/org/plugins.git', ref: 'v1.0.0', dockerfile: 'notify/Dockerfile' },
    ],
    'on-crash': [{ dockerfile: 'hooks/Dockerfile' }],
    post_provision: [{ name: 'migrate', dockerfile: 'hooks/Dockerfile', run_policy: 'once' }],
  },
  environments: [{
    name: 'Stage', registry: 'registry.example.com', instance_count: 2, hot_swap: true,
    blackout_windows: [{ start_time: '2026-12-24T00:00:00Z', end_time: '2026-12-27T00:00:00Z' }],
    ...AWS_ONLY,
    regions: [{
      name: 'local', docker_host: 'tcp://127.0.0.1:2375', orchestrator: 'swarm', endpoint_mode: 'vip', publish_mode: 'ingress',
      containers: [{
        name: 'web', topology: 'inet', inet_port: 8080, dockerfile: 'Dockerfile.web', dockerfile_build: 'Dockerfile.build', replicas: 4, health_check: { method: 'HEAD', path: '/healthz', timeout: '30s' },
        uid: 1000, read_only: false, pids_limit: 100, cap_add: ['NET_BIND_SERVICE'], validate_build_args_exist: true,
        src_env_file: { exec_name: 'bin/secrets', exec_args: ['--stage'], s3_bucket: 'b', s3_key: 'k', s3_region: 'us-west-2' },
        dst_env_file: '/etc/service.env',
      }],
    }, { name: 'other' }, { name: 'third', instance_count: 3, ...AWS_ONLY }],
  }],
  events: [{ on: ['die', 'unhealthy'], container: 'web', hooks: 'on-crash', once_per: 'stack' }],
};
const FULL_FILES = { 'hooks/Dockerfile': DOCKERFILE, 'hooks/.env': 'X=1\n', 'Dockerfile.web': DOCKERFILE, 'Dockerfile.build': DOCKERFILE };

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
const isMap = (v: unknown): v is Record<string, Json> => typeof v === 'object' && v !== null && !Array.isArray(v);
const jsonType = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v === 'object' ? 'object' : Number.isInteger(v) ? 'integer' : typeof v);
const fits = (s: Schema, v: unknown): boolean => {
  if (s.type === undefined) return true;
  const types = Array.isArray(s.type) ? s.type : [s.type];
  return types.includes(jsonType(v) as never) || (jsonType(v) === 'integer' && types.includes('number'));
};

/** Every `properties` key of the schema, named `pointer/properties/key` (a $defs entry is its own pointer). */
function declaredKeys(s: Schema, pointer: string, out: Set<string>): Set<string> {
  for (const [k, sub] of Object.entries(s.properties ?? {})) {
    out.add(`${pointer}/properties/${k}`);
    declaredKeys(sub, `${pointer}/properties/${k}`, out);
  }
  for (const [name, sub] of Object.entries(s.$defs ?? {})) declaredKeys(sub, `#/$defs/${name}`, out);
  for (const sub of [s.items, typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined, ...(s.oneOf ?? []), ...(s.anyOf ?? [])]) {
    if (sub) declaredKeys(sub, pointer, out);
  }
  return out;
}

/** The schema keys a document uses, walking document and schema together. */
function usedKeys(root: Schema, s: Schema, value: unknown, pointer: string, out: Set<string>): Set<string> {
  if (s.$ref) return usedKeys(root, resolveRef(root, s.$ref), value, s.$ref, out);
  for (const branch of [...(s.oneOf ?? []), ...(s.anyOf ?? [])]) if (fits(branch, value)) usedKeys(root, branch, value, pointer, out);
  if (Array.isArray(value) && s.items) for (const v of value) usedKeys(root, s.items, v, pointer, out);
  if (isMap(value)) {
    for (const [k, v] of Object.entries(value)) {
      const prop = s.properties?.[k];
      if (prop) {
        out.add(`${pointer}/properties/${k}`);
        usedKeys(root, prop, v, `${pointer}/properties/${k}`, out);
      } else if (typeof s.additionalProperties === 'object') usedKeys(root, s.additionalProperties, v, pointer, out);
    }
  }
  return out;
}

/** Every path to a map key in a document, e.g. ['hooks', 'pre_pack', 0, 'env_file']. */
function keyPaths(value: unknown, at: (string | number)[] = []): (string | number)[][] {
  if (Array.isArray(value)) return value.flatMap((v, i) => keyPaths(v, [...at, i]));
  if (!isMap(value)) return [];
  return Object.entries(value).flatMap(([k, v]) => [[...at, k], ...keyPaths(v, [...at, k])]);
}

function without(doc: unknown, path: (string | number)[]): unknown {
  const copy = structuredClone(doc) as Record<string | number, unknown>;
  let node: Record<string | number, unknown> = copy;
  for (const step of path.slice(0, -1)) node = node[step] as Record<string | number, unknown>;
  delete node[path.at(-1) as string];
  return copy;
}

describe('the schema and the loader cannot drift', () => {
  const load = async (doc: unknown): Promise<string> => {
    const repo = await tempRepo(FULL_FILES);
    return JSON.stringify(await parseConfigText(stringify(doc), '.porter/config', repo, makeLookup({}, {})), (k, v: unknown) => (k === 'line' || k === 'file' ? undefined : v));
  };

  it('the full config uses every property the schema declares', () => {
    const schema = configSchema();
    const declared = declaredKeys(schema, '#', new Set());
    const used = usedKeys(schema, schema, FULL, '#', new Set());
    assert.deepEqual([...declared].filter((k) => !used.has(k)), [], 'a property was added to the schema: add it to FULL (and make the loader read it)');
    assert.ok(declared.size > 30);
  });

  it('the loader accepts every property, and reads each one: without it the config loads differently or not at all', { timeout: 20_000 }, async () => {
    const full = await load(FULL);
    // `topology` may be left out because porter derives it (inet with inet_port); writing it changes nothing.
    const derived = new Set(['environments.0.regions.0.containers.0.topology']);
    const ignored: string[] = [];
    for (const path of keyPaths(FULL)) {
      if (/^(x-|_)/.test(String(path.at(-1))) || derived.has(path.join('.'))) continue;
      // Inside an ignored key nothing is read: removing the key itself is what changes the config.
      if (path.slice(0, -1).some((step) => typeof step === 'string' && (Object.hasOwn(AWS_ONLY, step) || /^s3_/.test(step)))) continue;
      const other = await load(without(FULL, path)).catch((err: unknown) => (err instanceof ConfigError ? 'config-error' : Promise.reject(err)));
      if (other === full) ignored.push(path.join('.'));
    }
    assert.deepEqual(ignored, []);
  });

  it('rejects an unknown key at every level, naming its key path', { timeout: 10_000 }, async () => {
    const places: [(string | number)[], string][] = [
      [[], 'bogus_key'], [['hooks', 'pre_pack', 0], 'hooks.pre_pack[0].bogus_key'], [['environments', 0], 'environments[0].bogus_key'],
      [['environments', 0, 'regions', 0], 'environments[0].regions[0].bogus_key'],
      [['environments', 0, 'regions', 0, 'containers', 0], 'environments[0].regions[0].containers[0].bogus_key'],
      [['environments', 0, 'regions', 0, 'containers', 0, 'health_check'], 'environments[0].regions[0].containers[0].health_check.bogus_key'],
    ];
    for (const [at, path] of places) {
      const doc = structuredClone(FULL) as Record<string | number, unknown>;
      let node = doc;
      for (const step of at) node = node[step] as Record<string | number, unknown>;
      node.bogus_key = 1;
      const repo = await tempRepo(FULL_FILES);
      const problems = await configProblems(parseConfigText(stringify(doc), '.porter/config', repo, makeLookup({}, {})));
      assert.deepEqual(problems.map((p) => p.path), [path]);
      assert.match(problems[0]?.message ?? '', /unknown key "bogus_key"/);
    }
  });
});
