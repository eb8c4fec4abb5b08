import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { makeLookup } from '../../src/config/expand.js';
import { parseConfigText } from '../../src/config/parse.js';
import { configProblems, DOCKERFILE, problemAt, removeTempRepos, tempRepo } from '../fixtures/config/temp-repo.js';

after(removeTempRepos);

const parse = (text: string, repo: string) => parseConfigText(text, '.porter/config', repo, makeLookup({}, {}));
const problems = (text: string, repo: string) => configProblems(parse(text, repo));
const config = (events: string[]) => [
  'service_name: hello',
  'hooks:',
  '  on-crash:',
  '  - dockerfile: Dockerfile',
  '  post_provision:',
  '  - dockerfile: Dockerfile',
  'environments: [{name: Stage, regions: [{name: local, containers: [{name: web, inet_port: 8080}, {name: worker}]}]}]',
  'events:',
  ...events,
].join('\n');

describe('events: what a valid entry becomes', () => {
  it('reads on as a kind or a list, container, hooks and once_per, defaulting once_per to event', async () => {
    const repo = await tempRepo({ Dockerfile: DOCKERFILE });
    const loaded = await parse(config([
      '- on: [die, oom, unhealthy]',
      '  container: web',
      '  hooks: on-crash',
      '  once_per: container',
      '- on: restart',
      '  hooks: on-crash',
    ]), repo);
    assert.deepEqual(loaded.events, [
      { index: 0, on: ['die', 'oom', 'unhealthy'], container: 'web', hooks: 'on-crash', oncePer: 'container', line: 9 },
      { index: 1, on: ['restart'], hooks: 'on-crash', oncePer: 'event', line: 13 },
    ]);
  });

  it('is an empty list when the config has no events', async () => {
    const repo = await tempRepo({ Dockerfile: DOCKERFILE });
    assert.deepEqual((await parse('service_name: hello\n', repo)).events, []);
  });
});

describe('events: mistakes are reported with their line and a suggestion', () => {
  it('a misspelt kind, key and once_per value', async () => {
    const repo = await tempRepo({ Dockerfile: DOCKERFILE });
    const found = await problems(config([
      '- on: [die, unhealty]',
      '  hooks: on-crash',
      '  once_pr: stack',
      '- on: dei',
      '  hooks: on-crash',
      '  once_per: containers',
    ]), repo);
    assert.match(problemAt(found, 'events[0].on[1]').message, /must be one of die, oom, unhealthy.*did you mean unhealthy\?/);
    assert.equal(problemAt(found, 'events[0].on[1]').line, 9);
    assert.match(problemAt(found, 'events[0].once_pr').message, /unknown key "once_pr"; did you mean once_per\?/);
    assert.match(problemAt(found, 'events[1].on').message, /did you mean die\?/);
    assert.match(problemAt(found, 'events[1].once_per').message, /must be one of event, container, stack.*did you mean container\?/);
  });

  it('a missing on or hooks, and an empty on list', async () => {
    const repo = await tempRepo({ Dockerfile: DOCKERFILE });
    const found = await problems(config(['- hooks: on-crash', '- on: die', '- on: []', '  hooks: on-crash']), repo);
    assert.match(problemAt(found, 'events[0].on').message, /is missing; add on:/);
    assert.match(problemAt(found, 'events[1].hooks').message, /is missing; add hooks:/);
    assert.match(problemAt(found, 'events[2].on').message, /at least 1 item/);
  });

  it('hooks must name a user-defined list of the config: a typo gets a suggestion, a phase list is refused', async () => {
    const repo = await tempRepo({ Dockerfile: DOCKERFILE });
    const found = await problems(config([
      '- on: die',
      '  hooks: on-crsh',
      '- on: die',
      '  hooks: post_provision',
      '- on: die',
      '  hooks: nothing-like-it',
    ]), repo);
    assert.equal(problemAt(found, 'events[0].hooks').message, 'names no hook list of this config; did you mean on-crash?');
    assert.equal(problemAt(found, 'events[0].hooks').line, 10);
    assert.match(problemAt(found, 'events[1].hooks').message, /"post_provision" is a phase hook list, run by its phase; an event runs a user-defined list/);
    assert.match(problemAt(found, 'events[2].hooks').message, /the user-defined lists are on-crash\. Add nothing-like-it: under hooks:/);
  });

  it('container must name a container of the config', async () => {
    const repo = await tempRepo({ Dockerfile: DOCKERFILE });
    const found = await problems(config(['- on: die', '  container: wokrer', '  hooks: on-crash', '- on: die', '  container: db', '  hooks: on-crash']), repo);
    assert.equal(problemAt(found, 'events[0].container').message, 'names no container of this config; did you mean worker?');
    assert.match(problemAt(found, 'events[1].container').message, /its containers are web, worker\. Name one of them/);
  });
});
