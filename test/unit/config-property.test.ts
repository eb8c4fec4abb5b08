import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { stringify } from 'yaml';
import { makeLookup } from '../../src/config/expand.js';
import { loadConfig } from '../../src/config/load.js';
import { parseConfigText } from '../../src/config/parse.js';
import { ConfigError, UsageError } from '../../src/errors.js';
import { DOCKERFILE, removeTempRepos, tempRepo } from '../fixtures/config/temp-repo.js';
import { prng } from '../helpers/prng.js';

after(removeTempRepos);

const BASE = `service_name: hello
porter_version: v1
hook_timeout: 10m
x-env: &env {A: "1", B: "\${B:-two}"}
hooks:
  pre_pack:
  - dockerfile: Dockerfile
    name: lint
    environment: {<<: *env, FOO: bar, BAZ:}
    env_file: .porter/hook.env
    run_condition: pass
    concurrent: true
    timeout: 90s
    retries: 1
    retry_on: [timeout]
    build_args: {NODE: 20}
    secrets: [FOO]
    repo_root: ro
  post_pack:
  - repo: https://example.com/org/plugins.git
    ref: v1.0.0
    dockerfile: notify/Dockerfile
    environment: [A=1, B]
environments:
- name: Stage
  registry: registry.example.com
  regions:
  - name: local
    docker_host: unix:///var/run/docker.sock
    orchestrator: engine
    containers:
    - name: web
      topology: inet
      inet_port: $PORT
      dockerfile: Dockerfile
      health_check: {method: GET, path: /health, timeout: 60s}
      replicas: 1
`;

const NOISE = [':', '-', '[', ']', '{', '}', '&a', '*a', '*env', '!', '!!binary ', '|', '>', "'", '"', '#', '\n', ' ', '  ', '\t', '$', '${', '$$', '${X:-', '}', '\0', '%', '@', '`', '<<: ', '? ', ',', '---\n', '..', '/', '\\', 'ext::', '-x', '\u00e9', '\ud83d\ude00', 'null', '~', '0x1F', '1e999', '-.inf'];
const KEYS = ['service_name', 'hooks', 'pre_pack', 'post_pack', 'environments', 'regions', 'containers', 'name', 'dockerfile', 'repo', 'ref', 'environment', 'env_file', 'run_condition', 'concurrent', 'timeout', 'retries', 'retry_on', 'build_args', 'secrets', 'repo_root', 'inet_port', 'topology', 'health_check', 'docker_host', '__proto__', 'constructor', 'PORTER_X', 'x-y'];
const VALUES: unknown[] = ['hello', 'Dockerfile', '../etc', '/abs', 'pass', 'always', 'inet', 'worker', 'v1', '-opt', '90s', '0s', 'https://u:p@h/x.git', 'ext::sh', '$UNSET', '${PORT}', '', null, true, false, 0, -1, 8080, 70000, 1.5, [], {}];

function mutate(text: string, rand: () => number): string {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)] as T;
  let out = text;
  const edits = 1 + Math.floor(rand() * 4);
  for (let i = 0; i < edits; i++) {
    const at = Math.floor(rand() * (out.length + 1));
    const op = rand();
    if (op < 0.35) out = out.slice(0, at) + pick(NOISE) + out.slice(at);
    else if (op < 0.6) out = out.slice(0, at) + out.slice(at + 1 + Math.floor(rand() * 8));
    else if (op < 0.8) {
      const lines = out.split('\n');
      const a = Math.floor(rand() * lines.length);
      const b = Math.floor(rand() * lines.length);
      [lines[a], lines[b]] = [lines[b] ?? '', lines[a] ?? ''];
      out = lines.join('\n');
    } else {
      const lines = out.split('\n');
      const a = Math.floor(rand() * lines.length);
      lines.splice(a, 0, lines[Math.floor(rand() * lines.length)] ?? '');
      out = lines.join('\n');
    }
  }
  return out;
}

function randomValue(rand: () => number, depth: number): unknown {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)] as T;
  const r = rand();
  if (depth > 4 || r < 0.45) return pick(VALUES);
  if (r < 0.7) return Array.from({ length: Math.floor(rand() * 4) }, () => randomValue(rand, depth + 1));
  const map: Record<string, unknown> = {};
  for (let i = Math.floor(rand() * 5); i > 0; i--) Object.defineProperty(map, pick(KEYS), { value: randomValue(rand, depth + 1), enumerable: true, configurable: true, writable: true });
  return map;
}

async function outcome(text: string, repo: string): Promise<string> {
  try {
    const config = await parseConfigText(text, '.porter/config', repo, makeLookup({ PORT: '8080', X: 'x' }, { B: 'b' }));
    assert.equal(typeof config.serviceName, 'string');
    return 'config';
  } catch (err) {
    if (err instanceof ConfigError) {
      assert.ok(err.problems.length > 0);
      for (const p of err.problems) assert.ok(Number.isInteger(p.line) && p.line >= 0 && p.message.length > 0, JSON.stringify(p));
      return 'config-error';
    }
    if (err instanceof UsageError) return 'usage-error';
    throw err;
  }
}

describe('parseConfigText on random documents', () => {
  it('resolves or rejects with a porter error for mutated configs', { timeout: 120_000 }, async () => {
    const repo = await tempRepo({ Dockerfile: DOCKERFILE });
    assert.equal(await outcome(BASE, repo), 'config');
    const seen = new Map<string, number>();
    for (let seed = 1; seed <= 1500; seed++) {
      const text = mutate(BASE, prng(seed));
      const result = await outcome(text, repo).catch((err: unknown) => assert.fail(`seed ${seed}: ${String(err)}\n${text}`));
      seen.set(result, (seen.get(result) ?? 0) + 1);
    }
    assert.ok((seen.get('config') ?? 0) > 0 && (seen.get('config-error') ?? 0) > 0, JSON.stringify([...seen]));
  });

  it('resolves or rejects with a porter error for random YAML trees', { timeout: 120_000 }, async () => {
    const repo = await tempRepo({ Dockerfile: DOCKERFILE });
    for (let seed = 1; seed <= 1000; seed++) {
      const rand = prng(seed * 7919);
      const doc = randomValue(rand, 0);
      if (rand() < 0.7 && doc !== null && typeof doc === 'object' && !Array.isArray(doc)) Object.assign(doc, { service_name: 'hello' });
      const text = stringify(doc);
      await outcome(text, repo).catch((err: unknown) => assert.fail(`seed ${seed}: ${String(err)}\n${text}`));
    }
  });
});

/** Byte-level damage: flipped, inserted and deleted bytes (invalid UTF-8, NUL, CR), and a random `.env` beside it. */
function damage(bytes: Buffer, rand: () => number): Buffer {
  const out = [...bytes];
  for (let i = 1 + Math.floor(rand() * 6); i > 0; i--) {
    const at = Math.floor(rand() * (out.length + 1));
    const op = rand();
    const byte = rand() < 0.3 ? [0x00, 0x0d, 0x0a, 0xff, 0xc3, 0xe2, 0x80, 0x22, 0x3a][Math.floor(rand() * 9)] ?? 0 : Math.floor(rand() * 256);
    if (op < 0.4) out.splice(at, 0, byte);
    else if (op < 0.7) out.splice(at, 1 + Math.floor(rand() * 4));
    else out[Math.min(at, out.length - 1)] = byte;
  }
  return Buffer.from(out);
}

describe('loadConfig on damaged files', () => {
  it('resolves or rejects with a porter error for byte-damaged configs and .env files, read from disk', { timeout: 120_000 }, async () => {
    const repo = await tempRepo({ Dockerfile: DOCKERFILE, '.porter/config': BASE });
    const base = Buffer.from(BASE);
    const seen = new Map<string, number>();
    for (let seed = 1; seed <= 600; seed++) {
      const rand = prng(seed * 104729);
      const config = damage(base, rand);
      await writeFile(join(repo, '.porter', 'config'), config);
      await writeFile(join(repo, '.env'), damage(Buffer.from('B=b\nPORT=8080\n'), rand));
      let result: string;
      try {
        await loadConfig({ repoDir: repo, env: { PORT: '8080' } });
        result = 'config';
      } catch (err) {
        if (!(err instanceof ConfigError) && !(err instanceof UsageError)) assert.fail(`seed ${seed}: ${String(err)}\n${config.toString('latin1')}`);
        result = err.constructor.name;
      }
      seen.set(result, (seen.get(result) ?? 0) + 1);
    }
    assert.ok((seen.get('config') ?? 0) > 0 && (seen.get('ConfigError') ?? 0) > 0, JSON.stringify([...seen]));
  });
});
