import assert from 'node:assert/strict';
import { symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { makeLookup } from '../../src/config/expand.js';
import { parseConfigText } from '../../src/config/parse.js';
import { findEnvironment } from '../../src/config/validate.js';
import type { PorterConfig } from '../../src/config/types.js';
import { UsageError } from '../../src/errors.js';
import { configProblems, DOCKERFILE, problemAt, removeTempRepos, tempRepo } from '../fixtures/config/temp-repo.js';

after(removeTempRepos);

const parse = (text: string, repo: string) => parseConfigText(text, '.porter/config', repo, makeLookup({}, {}));
const problems = (text: string, repo: string) => configProblems(parse(text, repo));
const envs = (lines: string[]) => ['service_name: hello', 'environments:', ...lines].join('\n');
const oneRegion = (containerLines: string[]) => envs(['- name: Stage', '  regions:', '  - name: local', '    containers:', ...containerLines]);

describe('environments: what a valid config becomes', () => {
  it('normalises environments, regions and containers with their defaults', async () => {
    const repo = await tempRepo({ Dockerfile: DOCKERFILE });
    const config = await parse(envs([
      '- name: Stage',
      '  registry: registry.example.com:5000/team',
      '  regions:',
      '  - name: local',
      '    docker_host: unix:///var/run/docker.sock',
      '    containers:',
      '    - name: web',
      '      inet_port: 8080',
      '      dockerfile_build: ./Dockerfile.build',
      '      health_check: {method: HEAD, path: /ready, timeout: 90s}',
      '      replicas: 2',
      '    - name: worker',
      '  - name: swarm-1',
      '    orchestrator: swarm',
      '    docker_host: ssh://deploy@swarm.example.com',
      '- name: Prod',
      '  regions: [{name: us-east-1}]',
    ]), repo);
    const [stage, prod] = config.environments;
    assert.equal(stage?.name, 'Stage');
    assert.equal(stage?.registry, 'registry.example.com:5000/team');
    assert.equal(stage?.line, 3);
    assert.deepEqual(stage?.regions[0]?.containers, [
      { name: 'web', topology: 'inet', inetPort: 8080, dockerfile: 'Dockerfile', dockerfileBuild: 'Dockerfile.build',
        healthCheck: { method: 'HEAD', path: '/ready', timeoutMs: 90_000 }, replicas: 2, uid: 65534, readOnly: true, pidsLimit: 4096, capAdd: [], validateBuildArgsExist: false, line: 9 },
      { name: 'worker', topology: 'worker', dockerfile: 'Dockerfile', healthCheck: { method: 'GET', path: '/health', timeoutMs: 60_000 }, replicas: 1,
        uid: 65534, readOnly: true, pidsLimit: 4096, capAdd: [], validateBuildArgsExist: false, line: 14 },
    ]);
    assert.equal(stage?.regions[0]?.orchestrator, 'engine');
    assert.equal(stage?.regions[1]?.orchestrator, 'swarm');
    // A region that lists no containers gets the original porter's default: one `primary` inet container.
    assert.deepEqual(stage?.regions[1]?.containers.map((c) => [c.name, c.topology, c.dockerfile, c.dockerfileBuild, c.healthCheck.path]), [['primary', 'inet', 'Dockerfile', undefined, '/health']]);
    assert.deepEqual(prod?.regions.map((r) => r.name), ['us-east-1']);
  });
});

describe('environments: problems', () => {
  it('requires names and regions, and checks their form', async () => {
    const found = await problems(envs(['- regions: [{name: a}]', '- name: "has space"', '  regions: []', '- name: Ok', '  regions: [{dokcer_host: "tcp://h:2375"}]']), await tempRepo());
    assert.match(problemAt(found, 'environments[0].name').message, /^is missing; add name: \(letters, digits, _ and -, starting with a letter or digit\)\.$/);
    assert.equal(problemAt(found, 'environments[0].name').line, 3);
    assert.match(problemAt(found, 'environments[1].name').message, /"has space" is invalid/);
    assert.match(problemAt(found, 'environments[1].regions').message, /must have at least 1 item/);
    assert.match(problemAt(found, 'environments[2].regions[0].dokcer_host').message, /did you mean docker_host\?/);
    assert.match(problemAt(found, 'environments[2].regions[0].name').message, /is missing/);
  });

  it('refuses duplicate environment, region and container names, naming both lines', async () => {
    const found = await problems(envs([
      '- name: Stage',
      '  regions:',
      '  - {name: a, containers: [{name: web}, {name: web}]}',
      '  - {name: a}',
      '- name: Stage',
      '  regions: [{name: a}]',
    ]), await tempRepo());
    assert.match(problemAt(found, 'environments[1].name').message, /environment "Stage" is already defined at environments\[0\] \(line 3\).*lines 3 and 7/);
    assert.match(problemAt(found, 'environments[0].regions[1].name').message, /region "a" is already defined at environments\[0\]\.regions\[0\] \(line 5\); names must be unique among the regions of Stage/);
    assert.match(problemAt(found, 'environments[0].regions[0].containers[1].name').message, /container "web" is already defined/);
    assert.equal(found.length, 3);
  });

  it('ties topology to inet_port', async () => {
    const found = await problems(oneRegion([
      '    - {name: web, topology: inet}',
      '    - {name: job, topology: worker, inet_port: 80}',
      '    - {name: big, inet_port: 70000}',
      '    - {name: Upper}',
      '    - {name: reps, replicas: 0}',
    ]), await tempRepo());
    const c = (i: number, key: string) => problemAt(found, `environments[0].regions[0].containers[${i}].${key}`);
    // An inet container may leave inet_port out: pack takes its image's single EXPOSEd port, as the original did.
    assert.equal(found.some((p) => p.path === 'environments[0].regions[0].containers[0].inet_port'), false);
    assert.match(c(1, 'inet_port').message, /is only for topology: inet/);
    assert.match(c(2, 'inet_port').message, /is 70000; the largest allowed is 65535/);
    assert.match(c(3, 'name').message, /"Upper" is invalid: use lowercase letters/);
    assert.match(c(4, 'replicas').message, /is 0; the smallest allowed is 1/);
  });

  it('checks docker_host, health_check and container paths', async () => {
    const outside = await tempRepo({ Dockerfile: DOCKERFILE });
    const repo = await tempRepo();
    await symlink(join(outside, 'Dockerfile'), join(repo, 'Dockerfile.evil'));
    const found = await problems(envs([
      '- name: Stage',
      '  regions:',
      '  - name: a',
      '    docker_host: "ftp://user:pw@host"',
      '    containers:',
      '    - name: web',
      '      inet_port: 80',
      '      dockerfile: Dockerfile.evil',
      '      dockerfile_build: ../build/Dockerfile',
      '      health_check: {method: FETCH, path: health, timeout: 0s, retries: 3}',
    ]), repo);
    const at = (key: string) => problemAt(found, `environments[0].regions[0].${key}`).message;
    assert.match(at('docker_host'), /^"ftp:\/\/\*\*\*@host" is invalid: use a Docker host URL: unix:\/\/, tcp:\/\/, http:\/\/, https:\/\/ or ssh:\/\/\.$/);
    assert.match(at('containers[0].dockerfile'), /resolves outside the repo root through a symlink/);
    assert.match(at('containers[0].dockerfile_build'), /leaves the repo root/);
    assert.match(at('containers[0].health_check.method'), /must be one of GET, HEAD, POST/);
    assert.match(at('containers[0].health_check.path'), /use a URL path starting with \//);
    assert.match(at('containers[0].health_check.timeout'), /is zero/);
    assert.match(at('containers[0].health_check.retries'), /unknown key "retries"/);
  });
});

describe('findEnvironment', () => {
  const config: PorterConfig = {
    file: '.porter/config', serviceName: 'hello', dockerName: 'hello', hooks: {}, ignoredKeys: [],
    environments: [{ name: 'Stage', regions: [], hotSwap: false, blackoutWindows: [], line: 3 }, { name: 'Prod', regions: [], hotSwap: false, blackoutWindows: [], line: 9 }],
  };

  it('returns the environment named by -e', () => {
    assert.equal(findEnvironment(config, 'Prod').line, 9);
  });

  it('names the unknown environment and the known ones (exit 2)', () => {
    assert.throws(() => findEnvironment(config, 'stage'), (err: unknown) => {
      assert.ok(err instanceof UsageError);
      assert.equal(err.exitCode, 2);
      assert.equal(err.message, 'Unknown environment "stage" (-e stage): .porter/config defines Stage, Prod. Did you mean -e Stage? Pass one of them with -e NAME, or add "stage" under environments:.');
      return true;
    });
    assert.throws(() => findEnvironment(config, 'Qa'), /defines Stage, Prod\. Pass one of them/);
  });

  it('says when the config defines no environments', () => {
    assert.throws(() => findEnvironment({ ...config, environments: [] }, 'Stage'), (err: unknown) => err instanceof UsageError && /defines no environments/.test(err.message));
  });
});

describe('swarm region keys', () => {
  const config = (region: string): string => ['service_name: hello', 'environments:', '- name: Stage', '  regions:', '  - name: local', region, ''].join('\n');
  const load = async (region: string): Promise<PorterConfig> => {
    const { loadConfig } = await import('../../src/config/load.js');
    return loadConfig({ repoDir: await tempRepo({ '.porter/config': config(region) }), env: {} });
  };

  it('endpoint_mode and publish_mode are only for orchestrator: swarm, and ingress needs vip', async () => {
    const engine = await configProblems(load('    endpoint_mode: dnsrr'));
    assert.match(engine.map((p) => p.message).join('\n'), /is only for orchestrator: swarm/);
    const ingress = await configProblems(load('    orchestrator: swarm\n    publish_mode: ingress'));
    assert.match(ingress.map((p) => p.message).join('\n'), /needs endpoint_mode: vip/);
  });

  it('a swarm region reads them, dnsrr and host by default', async () => {
    const vip = await load('    orchestrator: swarm\n    endpoint_mode: vip\n    publish_mode: ingress');
    assert.equal(vip.environments[0]?.regions[0]?.endpointMode, 'vip');
    assert.equal(vip.environments[0]?.regions[0]?.publishMode, 'ingress');
    const plain = await load('    orchestrator: swarm');
    assert.equal(plain.environments[0]?.regions[0]?.endpointMode, 'dnsrr');
    assert.equal(plain.environments[0]?.regions[0]?.publishMode, 'host');
  });
});
