/** What porter prints, spawned as a user and a CI job run it: JSON events, JUnit, dry runs, validate, colours, GitHub Actions. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, test } from 'node:test';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describeDocker, removeTempDirs, sweepAfterSuite, tempDir, uniqueRunId } from '../helpers/docker.js';
import { engineList, labelQuery } from '../helpers/engine-api.js';
import { freePort, startSilentServer } from '../helpers/git-remote.js';
import { HOOK, hookRepo } from '../helpers/hook-repo.js';
import { porterEnv, runPorter, startPorter } from '../helpers/porter-cli.js';

const service = uniqueRunId();
const labels = { 'porter.service': service };
const SGR = /\u001b\[[0-9;]*m/;
const ESC = '\u001b';

after(() => removeTempDirs());

const hook = (name: string, script: string, extra = ''): string =>
  `  - name: ${name}\n    dockerfile: ${HOOK.runScript}\n${extra}    environment:\n      HOOK_SCRIPT: scripts/${script}\n`;

// The editor modeline README documents: a comment, so porter reads the file as before.
const CONFIG = `# yaml-language-server: $schema=../node_modules/porter/schema/porter-config.schema.json
service_name: ${service}
hooks:
  smoke:
${hook('a', 'a.sh', '    concurrent: true\n')}${hook('b', 'b.sh', '    concurrent: true\n')}${hook('after', 'a.sh')}${hook('cleanup', 'c.sh', '    run_condition: always\n')}  green:
${hook('g', 'c.sh')}  slow:
${hook('sleeper', 'slow.sh')}  steps:
  - name: built
    dockerfile: .porter/hooks/steps/Dockerfile
`;

const FILES = {
  // Pauses between stdout and stderr: the two streams are separate pipes, ordered only within each.
  'scripts/a.sh': 'echo a1\nsleep 0.5\necho a-err >&2\nsleep 0.1\necho a2\n',
  'scripts/b.sh': 'echo b1\nsleep 0.1\necho b-err >&2\nsleep 0.1\necho b-last\nexit 3\n',
  'scripts/c.sh': 'echo c1\n',
  'scripts/slow.sh': 'echo started\nsleep 30\necho never\n',
  // A build of its own, so a run shows `Step n/m` progress; the service label keeps it apart from other runs.
  '.porter/hooks/steps/Dockerfile': `FROM busybox\nRUN echo ${service} > /built\nRUN sleep 1\nCMD ["cat", "/built"]\n`,
};

type Json = Record<string, unknown>;

/** Every stdout line must be a JSON object with an ISO time and a type: nothing else is allowed on stdout. */
function jsonLines(stdout: string): Json[] {
  assert.ok(stdout.endsWith('\n'), 'stdout ends with a newline');
  return stdout.slice(0, -1).split('\n').map((line) => {
    const event = JSON.parse(line) as Json;
    assert.match(String(event.time), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/, line);
    assert.equal(typeof event.type, 'string', line);
    return event;
  });
}

const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', textNodeName: 'text', isArray: (n) => n === 'testsuite' || n === 'testcase' });
async function junitCases(file: string): Promise<Json[]> {
  const text = await readFile(file, 'utf8');
  assert.equal(XMLValidator.validate(text), true, text);
  const doc = xml.parse(text) as { testsuites: { testsuite?: { testcase: Json[] }[] } };
  return (doc.testsuites.testsuite ?? []).flatMap((s) => s.testcase);
}

/** Runs porter under a pseudo-terminal (util-linux `script`), as a person at a terminal sees it. */
function runInTty(repo: string, args: string[], env: Record<string, string | undefined> = {}): Promise<{ code: number | null; out: string }> {
  const main = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
  const quote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
  const command = [process.execPath, '--import', 'tsx', main, '-C', repo, ...args].map(quote).join(' ');
  const child = spawn('script', ['-qec', command, '/dev/null'], { cwd: fileURLToPath(new URL('../../', import.meta.url)), env: porterEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (b: Buffer) => void (out += b.toString('utf8')));
  child.stderr.on('data', (b: Buffer) => void (out += b.toString('utf8')));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, out: out.replace(/\r\n/g, '\n') })));
}

async function engineObjects(): Promise<number> {
  const q = labelQuery(labels);
  const [containers, images] = await Promise.all([engineList(`/containers/json?all=1&${q}`), engineList(`/images/json?${q}`)]);
  return containers.length + images.length;
}

describe('porter --version and porter help, spawned', () => {
  test('print the version and a command\'s help with its example, exit 0', { timeout: 20_000 }, async () => {
    const repo = await tempDir();
    const version = await runPorter(repo, ['--version']);
    assert.equal(version.code, 0);
    const pkg = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    assert.equal(version.stdout, `${pkg.version}\n`);
    const help = await runPorter(repo, ['help', 'build', 'hook']);
    assert.equal(help.code, 0, help.stderr);
    assert.match(help.stdout, /^Usage: porter build hook \[options\]/);
    assert.match(help.stdout, /\nExample:\n {2}porter build hook -name smoke -e Stage\n/);
  });
});

describe('porter config validate, spawned', () => {
  test('exit 0 and one line for a valid config', { timeout: 20_000 }, async () => {
    const repo = await hookRepo(CONFIG, FILES);
    const r = await runPorter(repo, ['config', 'validate']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `.porter/config: valid (service ${service}, 4 hook lists, 0 environments)\n`);
    assert.equal(r.stderr, '');
  });

  test('exit 2 with every problem as file:line: key path, and in JSON an error event listing them', { timeout: 20_000 }, async () => {
    const repo = await hookRepo(`service_name: ${service}\nhooks:\n  smoke:\n  - dockerfile: nowhere/Dockerfile\n    run_conditon: pass\n    retries: lots\nenvironments:\n- name: Stage\n  regions:\n  - nam: us\n`);
    const r = await runPorter(repo, ['config', 'validate']);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^porter: The config has 5 problems; fix them and run again:\n/);
    for (const where of [':4: hooks.smoke[0].dockerfile: ', ':5: hooks.smoke[0].run_conditon: unknown key "run_conditon"; did you mean run_condition?', ':6: hooks.smoke[0].retries: ', ':10: environments[0].regions[0].nam: ', ':10: environments[0].regions[0].name: is missing']) {
      assert.ok(r.stderr.includes(`  .porter/config${where}`), `${where} in\n${r.stderr}`);
    }
    assert.doesNotMatch(r.stderr, /\n\s+at .+:\d+:\d+/);

    const json = await runPorter(repo, ['--log-format', 'json', 'config', 'validate']);
    assert.equal(json.code, 2);
    const events = jsonLines(json.stdout);
    assert.deepEqual(events.map((e) => e.type), ['error', 'run-end']);
    assert.equal(events[0]?.exitCode, 2);
    assert.deepEqual((events[0]?.problems as Json[]).map((p) => `${String(p.line)} ${String(p.path)}`), [
      '4 hooks.smoke[0].dockerfile', '5 hooks.smoke[0].run_conditon', '6 hooks.smoke[0].retries', '10 environments[0].regions[0].nam', '10 environments[0].regions[0].name',
    ]);
    assert.equal(events[1]?.exitCode, 2);
    assert.match(json.stderr, /^porter: The config has 5 problems/, 'the paragraph is still on stderr');
  });
});

describe('porter build hook --dry-run, spawned', () => {
  test('prints the plan and touches neither git nor an engine: an unreachable engine and remote do not matter', { timeout: 60_000 }, async () => {
    const remote = await startSilentServer();
    const cache = await tempDir();
    try {
      const repo = await hookRepo(`${CONFIG}  plugged:
  - name: plug
    repo: http://deploy:pl-token-9@127.0.0.1:${remote.port}/plugins.git
    ref: v1.0.0
    dockerfile: notify/Dockerfile
    run_condition: always
    environment: {API_KEY: value-must-not-print, FROM_HOST:}
  post_pack:
  - repo: http://deploy:pl-token-9@127.0.0.1:${remote.port}/plugins.git
    ref: main
    environment: {API_KEY: value-must-not-print}
environments:
- name: Stage
  regions: [{name: us}, {name: eu}]
`, FILES);
      const noEngine = { DOCKER_HOST: `tcp://127.0.0.1:${await freePort()}`, XDG_CACHE_HOME: cache };
      const r = await runPorter(repo, ['build', 'hook', '-name', 'plugged', '-e', 'Stage', '--dry-run'], noEngine);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stderr, '');
      assert.match(r.stdout, /^Plan for t-\w+ \(dry run: nothing is built, cloned or run\)\nplugged — once per region of Stage, concurrently: us, eu\n/);
      assert.match(r.stdout, new RegExp(`1\\. plug {2}http://\\*\\*\\*@127\\.0\\.0\\.1:${remote.port}/plugins\\.git@v1\\.0\\.0:notify/Dockerfile\\n {7}run_condition: always; environment: API_KEY, FROM_HOST\\n`));
      for (const secret of ['value-must-not-print', 'pl-token-9', 'deploy']) assert.equal(r.stdout.includes(secret), false, secret);

      const json = await runPorter(repo, ['--log-format', 'json', 'build', 'hook', '-name', 'smoke', '--dry-run'], noEngine);
      assert.equal(json.code, 0, json.stderr);
      const events = jsonLines(json.stdout);
      assert.deepEqual(events.map((e) => e.type), ['plan', 'run-end']);
      assert.deepEqual((events[0]?.lists as Json[])[0]?.steps, [
        { concurrent: true, hooks: [
          { hook: 'a', dockerfile: HOOK.runScript, runCondition: 'pass', retries: 0, environmentKeys: ['HOOK_SCRIPT'] },
          { hook: 'b', dockerfile: HOOK.runScript, runCondition: 'pass', retries: 0, environmentKeys: ['HOOK_SCRIPT'] },
        ] },
        { concurrent: false, hooks: [{ hook: 'after', dockerfile: HOOK.runScript, runCondition: 'pass', retries: 0, environmentKeys: ['HOOK_SCRIPT'] }] },
        { concurrent: false, hooks: [{ hook: 'cleanup', dockerfile: HOOK.runScript, runCondition: 'always', retries: 0, environmentKeys: ['HOOK_SCRIPT'] }] },
      ]);

      // The phase commands' dry runs too: a plan event and run-end, nothing else, no secret, no contact.
      for (const phase of [['pack'], ['provision', '-e', 'Stage'], ['promote', '-e', 'Stage'], ['prune', '-e', 'Stage']]) {
        const p = await runPorter(repo, ['--log-format', 'json', 'build', ...phase, '--dry-run'], noEngine);
        assert.equal(p.code, 0, `${phase.join(' ')}: ${p.stderr}`);
        assert.deepEqual(jsonLines(p.stdout).map((e) => e.type), ['plan', 'run-end'], phase.join(' '));
        for (const secret of ['value-must-not-print', 'pl-token-9']) assert.equal(p.stdout.includes(secret), false, `${phase.join(' ')} printed ${secret}`);
      }
      assert.equal(remote.accepted(), 0, 'the plugin remote was contacted');
      assert.deepEqual(await readdir(cache), [], 'nothing was cloned into the plugin cache');
      await assert.rejects(stat(join(repo, '.porter-tmp')), /ENOENT/, 'a dry run writes no .porter-tmp/');
    } finally {
      await remote.stop();
    }
  });
});

await describeDocker('porter output on the real engine', () => {
  sweepAfterSuite(labels);

  test('a dry run with the engine up creates no container and no image', { timeout: 30_000 }, async () => {
    const repo = await hookRepo(CONFIG, FILES);
    assert.equal(await engineObjects(), 0);
    const r = await runPorter(repo, ['build', 'hook', '-name', 'steps', '--dry-run']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(await engineObjects(), 0);
  });

  test('--log-format json: only JSON events on stdout, in a documented order; the JUnit file parses', { timeout: 90_000 }, async () => {
    const repo = await hookRepo(CONFIG, FILES);
    const r = await runPorter(repo, ['--log-format', 'json', '--junit', 'reports/porter.xml', 'build', 'hook', '-name', 'smoke']);
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.stderr, '', 'a failed hook is not a porter error: stderr stays empty');
    const events = jsonLines(r.stdout);
    const ends = events.filter((e) => e.type === 'hook-end');
    const end = (name: string): Json | undefined => ends.find((e) => e.hook === name);
    assert.deepEqual(ends.map((e) => e.hook).sort(), ['a', 'after', 'b', 'cleanup']);
    assert.deepEqual(end('b'), { ...end('b'), list: 'smoke', status: 'failed', exitCode: 3, stage: 'run', attempts: 1, tail: ['b1', 'b-err', 'b-last'] });
    assert.equal(typeof end('b')?.durationMs, 'number');
    assert.deepEqual([end('a')?.status, end('a')?.exitCode, end('a')?.tail], ['passed', 0, undefined]);
    assert.deepEqual([end('after')?.status, end('cleanup')?.status], ['skipped', 'passed']);
    assert.ok(events.some((e) => e.type === 'hook-log' && e.hook === 'b' && e.stream === 'stderr' && e.line === 'b-err'));
    assert.ok(events.some((e) => e.type === 'hook-log' && e.hook === 'a' && e.stream === 'stdout' && e.line === 'a2'));
    const index = (pred: (e: Json) => boolean): number => events.findIndex(pred);
    assert.ok(index((e) => e.type === 'hook-start' && e.hook === 'a') < index((e) => e.type === 'hook-log' && e.hook === 'a'));
    assert.ok(index((e) => e.type === 'hook-log' && e.hook === 'a') < index((e) => e.type === 'hook-end' && e.hook === 'a'));
    assert.deepEqual(events.at(-1), { ...events.at(-1), type: 'run-end', exitCode: 1 });

    const cases = await junitCases(join(repo, 'reports/porter.xml'));
    assert.deepEqual(cases.map((c) => `${String(c.classname)}/${String(c.name)}`).sort(), ['smoke/a', 'smoke/after', 'smoke/b', 'smoke/cleanup']);
    const b = cases.find((c) => c.name === 'b');
    assert.deepEqual(b?.failure, { message: 'exited with code 3', type: 'failed', text: 'b1\nb-err\nb-last' });
    assert.equal(cases.find((c) => c.name === 'after')?.skipped, '');
  });

  test('GITHUB_ACTIONS=true: each hook\'s lines in one ::group::, concurrent hooks not interleaved, an ::error:: per failure, no escape codes', { timeout: 60_000 }, async () => {
    const repo = await hookRepo(CONFIG, FILES);
    const r = await runPorter(repo, ['build', 'hook', '-name', 'smoke'], { GITHUB_ACTIONS: 'true' });
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.stdout.includes(ESC), false, 'not a TTY: no escape codes');
    assert.equal(r.stdout.includes('\r'), false, 'not a TTY: no progress line');
    const lines = r.stdout.split('\n');
    const groups: string[][] = [];
    let open: string[] | undefined;
    for (const line of lines) {
      if (line.startsWith('::group::')) {
        assert.equal(open, undefined, `nested group at ${line}`);
        open = [line.slice(9)];
        groups.push(open);
      } else if (line === '::endgroup::') open = undefined;
      else if (line.startsWith('[smoke ')) {
        assert.ok(open, `${line} is outside a group`);
        assert.ok(line.startsWith(`[${open[0] ?? ''}]`), `${line} is in the group of ${open[0] ?? ''}`);
        open.push(line);
      }
    }
    assert.deepEqual(groups.map((g) => g[0]), ['smoke a', 'smoke b', 'smoke cleanup']);
    assert.deepEqual(groups[1], ['smoke b', '[smoke b] b1', '[smoke b] b-err', '[smoke b] b-last']);
    assert.deepEqual(lines.filter((l) => l.startsWith('::error')), ['::error title=porter%3A smoke b failed::smoke b failed with exit code 3%0Ab1%0Ab-err%0Ab-last']);
    assert.match(r.stdout, /\nSummary:\n/);
  });

  test('--quiet: only the failed hook\'s output and the summary', { timeout: 60_000 }, async () => {
    const repo = await hookRepo(CONFIG, FILES);
    const r = await runPorter(repo, ['-q', 'build', 'hook', '-name', 'smoke']);
    assert.equal(r.code, 1, r.stderr);
    const before = r.stdout.slice(0, r.stdout.indexOf('\nSummary:\n'));
    assert.equal(before, '[smoke b] b1\n[smoke b] b-err\n[smoke b] b-last\n');
    assert.match(r.stdout, /\n {2}failed {4}smoke b +\d+\.\ds {2}\(exit 3\)\n/);
    assert.match(r.stdout, /\n {2}2 passed, 1 failed, 1 skipped\n/);
  });

  test('on a terminal: a colour per hook and a build progress line; none with NO_COLOR or --no-color', { timeout: 120_000 }, async () => {
    const repo = await hookRepo(CONFIG, FILES);
    const tty = await runInTty(repo, ['build', 'hook', '-name', 'steps']);
    assert.equal(tty.code, 0, tty.out);
    assert.match(tty.out, /\u001b\[\d+m\[steps built\]\u001b\[0m /, 'the prefix is coloured');
    // The engine counts the labels porter adds as steps too: match any total, and see it reach the end.
    assert.match(tty.out, /\r\u001b\[Kbuilding steps built: step 1 of \d+/, 'the progress line shows while the image builds');
    assert.match(tty.out, /building steps built: step (\d+) of \1\r\u001b\[K/);
    // The progress line is cleared before the hook's first line, so no line of the screen keeps it.
    const screen = tty.out.split('\n').map((l) => l.split('\r\u001b[K').at(-1) ?? '');
    assert.ok(screen.every((l) => !l.includes('building')), screen.join('\n'));

    for (const [args, env] of [[['build', 'hook', '-name', 'green'], { NO_COLOR: '1' }], [['--no-color', 'build', 'hook', '-name', 'green'], {}]] as const) {
      const plain = await runInTty(repo, [...args], env);
      assert.equal(plain.code, 0, plain.out);
      assert.match(plain.out, /^\[green g\] c1$/m);
      assert.doesNotMatch(plain.out, SGR, JSON.stringify(plain.out));
    }
    const colour = await runInTty(repo, ['build', 'hook', '-name', 'green']);
    assert.match(colour.out, SGR, 'the same run on a terminal has colour');
    const piped = await runPorter(repo, ['build', 'hook', '-name', 'green']);
    assert.equal(piped.stdout.includes(ESC), false, 'not a TTY: no escape codes');
  });

  test('an interrupted run still writes its JUnit file and its last events, and exits 130', { timeout: 60_000 }, async () => {
    const repo = await hookRepo(CONFIG, FILES);
    const p = startPorter(repo, ['--log-format', 'json', '--junit', 'junit.xml', 'build', 'hook', '-name', 'slow']);
    await p.waitFor(/"line":"started"/, 45_000);
    p.child.kill('SIGINT');
    const r = await p.exited;
    assert.equal(r.code, 130, r.stderr);
    const events = jsonLines(r.stdout);
    assert.deepEqual(events.slice(-3).map((e) => [e.type, e.status ?? e.exitCode]), [['hook-end', 'cancelled'], ['error', 130], ['run-end', 130]]);
    const cases = await junitCases(join(repo, 'junit.xml'));
    assert.deepEqual(cases.map((c) => [c.classname, c.name, (c.failure as Json | undefined)?.type ?? (c.error as Json | undefined)?.type]), [['slow', 'sleeper', 'cancelled'], ['porter', 'run', 'exit 130']]);
  });
});
