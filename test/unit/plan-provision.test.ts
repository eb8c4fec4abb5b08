import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { makeLookup } from '../../src/config/expand.js';
import { parseConfigText } from '../../src/config/parse.js';
import { phasePlan } from '../../src/phases/plan-phase.js';
import { DOCKERFILE, removeTempRepos, tempRepo } from '../fixtures/config/temp-repo.js';

after(removeTempRepos);

test('the provision plan names the src_env_file programs it runs first, and what a hot swap would run instead', async () => {
  const repo = await tempRepo({ Dockerfile: DOCKERFILE });
  const config = await parseConfigText([
    'service_name: svc',
    'environments:',
    '- name: Stage',
    '  hot_swap: true',
    '  regions:',
    '  - name: local',
    '    containers:',
    '    - name: web',
    '      inet_port: 8080',
    '      src_env_file: {exec_name: ./secrets, exec_args: [--env, stage]}',
    '- name: Prod',
    '  regions:',
    '  - name: local',
    '    containers:',
    '    - name: web',
    '      inet_port: 8080',
    '',
  ].join('\n'), '.porter/config', repo, makeLookup({}, {}), { strict: false });
  const note = (env: string): string => phasePlan(config, 'provision', { version: 'v1', environment: config.environments.find((e) => e.name === env)! })[1]?.note ?? '';
  const stage = note('Stage').split('\n');
  assert.ok(stage.includes("  before anything: run `./secrets --env stage` in the repo root (src_env_file; its output is the containers' secret environment)"), stage.join('\n'));
  assert.ok(stage.some((l) => l.startsWith('  hot_swap: when a stack is promoted in every region, pre_hotswap → ')), stage.join('\n'));
  assert.ok(!/src_env_file|hot_swap/.test(note('Prod')));
});
