import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatAge, formatStatus } from '../../src/cli/render-status.js';
import { rollbackTarget, type Promotion } from '../../src/phases/history.js';
import { containersHealth } from '../../src/phases/region-stacks.js';
import type { ContainerState } from '../../src/docker/engine.js';

const promoted = (...stacks: string[]): Promotion[] => stacks.map((stack, i) => ({ stack, at: `2026-01-01T00:00:0${i}.000Z`, by: 'promote' }));

describe('rollbackTarget: the promotion history as Helm reads it', () => {
  const cases: [string, Promotion[], string | undefined, string | undefined][] = [
    ['v1 → v2: back to v1', promoted('v1', 'v2'), 'v2', 'v1'],
    ['v1 → v2 → rollback (v1): forward to v2', promoted('v1', 'v2', 'v1'), 'v1', 'v2'],
    ['v1 → v2 → v3 → rollback (v2) → rollback: v3', promoted('v1', 'v2', 'v3', 'v2'), 'v2', 'v3'],
    ['one promotion: nothing', promoted('v1'), 'v1', undefined],
    ['no history: nothing', [], undefined, undefined],
    ['the alias moved by hand to v1 after v1 → v2: not v1 again', promoted('v1', 'v2'), 'v1', undefined],
    ['no stack promoted now: the one before the last entry', promoted('v1', 'v2'), undefined, 'v1'],
  ];
  for (const [name, history, current, expected] of cases) {
    it(name, () => assert.equal(rollbackTarget(history, current), expected));
  }
});

describe('stack health from its containers', () => {
  const c = (fields: Partial<ContainerState>): ContainerState => ({
    id: 'x', name: 'web', image: 'i', labels: {}, running: true, status: 'running', exitCode: 0, created: '', networks: {}, addresses: {}, ports: {}, ...fields,
  });
  it('is healthy when every container runs and none is unhealthy or starting', () => {
    assert.deepEqual(containersHealth([c({}), c({ health: 'healthy' })]), { health: 'healthy' });
    assert.deepEqual(containersHealth([c({ health: 'healthy' }), c({ name: 'db', running: false, status: 'exited' })]), { health: 'stopped', reason: 'container db is exited' });
    assert.deepEqual(containersHealth([c({ health: 'unhealthy' })]), { health: 'unhealthy', reason: 'container web is unhealthy' });
    assert.deepEqual(containersHealth([c({ health: 'starting' })]), { health: 'starting', reason: 'container web is starting' });
  });
});

describe('build status text', () => {
  it('shows ages at a glance', () => {
    assert.deepEqual([5_000, 125_000, 3_600_000, 3_900_000, 90_000_000, 86_400_000].map(formatAge), ['5s', '2m', '1h', '1h5m', '1d1h', '1d']);
  });

  it('lists stacks per region with the promoted one marked, then the promotions', () => {
    const text = formatStatus('web', 'Stage', [
      {
        region: 'eu', orchestrator: 'engine',
        stacks: [
          { id: 'abc-2', version: 'abc', created: '', ageMs: 60_000, health: 'healthy', url: 'http://127.0.0.1:4000', promoted: true },
          { id: 'abc-1', version: 'abc', created: '', ageMs: 120_000, health: 'stopped', reason: 'container web is exited', promoted: false },
        ],
        promotions: [{ stack: 'abc-2', at: '2026-01-01T00:00:02.000Z', previous: 'abc-1', by: 'rollback' }],
      },
      { region: 'us', orchestrator: 'swarm', stacks: [], promotions: [] },
    ]);
    assert.equal(text, [
      'web in Stage',
      '',
      'region eu:',
      '     STACK  VERSION  AGE     HEALTH                             URL',
      '  *  abc-2  abc      1m ago  healthy                            http://127.0.0.1:4000',
      '     abc-1  abc      2m ago  stopped (container web is exited)  -',
      '  promotions, newest first:',
      '    2026-01-01T00:00:02.000Z  rollback to abc-2 (was abc-1)',
      '',
      'region us (swarm):',
      '  no stacks',
      '',
      '* promoted: holds the alias clients reach',
      '',
    ].join('\n'));
  });
});
