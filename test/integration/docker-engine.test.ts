import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import { BuildFailure, type DockerEngine, type RunRequest } from '../../src/docker/engine.js';
import { maxLineLength } from '../../src/docker/line-splitter.js';
import {
  assertNothingLeft, describeDocker, fixtureContext, removeTempDirs, sweep, tempDir, testLabels, uniqueRunId,
} from '../helpers/docker.js';

interface Captured {
  stdout: string[];
  stderr: string[];
}

function capture(): Captured & { sink: (line: string, stream: 'stdout' | 'stderr') => void } {
  const out: Captured = { stdout: [], stderr: [] };
  return { ...out, sink: (line, stream) => out[stream].push(line) };
}

const never = (): AbortSignal => new AbortController().signal;

await describeDocker('DockerEngine against the real engine', (engine: DockerEngine) => {
  const runId = uniqueRunId();
  const labels = testLabels(runId);
  let image = '';

  const run = async (cmd: string, extra: Partial<RunRequest> = {}) => {
    const seen = capture();
    const { exitCode } = await engine.runToExit({ image, env: [], binds: [], labels, cmd: ['sh', '-c', cmd], ...extra }, seen.sink, never());
    return { exitCode, stdout: seen.stdout, stderr: seen.stderr };
  };

  before(async () => {
    const context = await fixtureContext('hello');
    image = await engine.buildImage({ contextDir: context, dockerfile: 'Dockerfile', tag: `porter-test-${runId}:hello`, labels, buildArgs: {} }, () => {}, never());
  }, { timeout: 60_000 });

  after(async () => {
    await sweep(labels);
    await removeTempDirs();
  }, { timeout: 60_000 });

  test('a build streams the builder\'s lines, applies labels and build args, and returns the image id', { timeout: 60_000 }, async () => {
    const context = await fixtureContext(undefined, {
      Dockerfile: 'FROM busybox\nARG GREETING\nRUN echo "greeting is $GREETING" && echo "$GREETING" > /greeting\n',
    });
    const seen = capture();
    const req = { contextDir: context, dockerfile: 'Dockerfile', tag: `porter-test-${runId}:args`, labels, buildArgs: { GREETING: runId } };
    const id = await engine.buildImage(req, seen.sink, never());

    assert.match(id, /^sha256:[0-9a-f]{64}$/);
    assert.ok(seen.stdout.includes(`greeting is ${runId}`), seen.stdout.join('\n'));
    assert.ok(seen.stdout.some((l) => l.startsWith('Step 1/')));
    const found = await engine.findImages(labels);
    assert.ok(found.some((i) => i.id === id && i.tags.includes(`porter-test-${runId}:args`) && i.labels['porter.service'] === runId));
    const { stdout } = await run('cat /greeting', { image: id });
    assert.deepEqual(stdout, [runId]);
  });

  test('stdout and stderr arrive as separate streams, line by line', { timeout: 30_000 }, async () => {
    const result = await run('echo out-1; echo err-1 >&2; echo out-2; echo err-2 >&2');
    assert.deepEqual(result, { exitCode: 0, stdout: ['out-1', 'out-2'], stderr: ['err-1', 'err-2'] });
  });

  test('the image\'s own CMD runs when no cmd is given, and env, workingDir and name are applied', { timeout: 30_000 }, async () => {
    const plain = capture();
    await engine.runToExit({ image, env: [], binds: [], labels }, plain.sink, never());
    assert.deepEqual(plain.stdout, ['hello from the fixture']);

    const result = await run('echo "$PORTER_X"; pwd; hostname >/dev/null; cat /proc/1/cmdline >/dev/null', {
      env: ['PORTER_X=value with spaces'], workingDir: '/tmp', name: `${runId}-named`,
    });
    assert.deepEqual(result.stdout, ['value with spaces', '/tmp']);
  });

  test('a non-zero exit code is returned, not thrown', { timeout: 30_000 }, async () => {
    assert.equal((await run('echo failing; exit 7')).exitCode, 7);
  });

  test('a last line without a newline is still delivered', { timeout: 30_000 }, async () => {
    const result = await run('printf "first\\nlast without newline"; printf "err tail" >&2');
    assert.deepEqual(result.stdout, ['first', 'last without newline']);
    assert.deepEqual(result.stderr, ['err tail']);
  });

  test('binary bytes and over-long lines are delivered without crashing, long lines in bounded pieces', { timeout: 30_000 }, async () => {
    const result = await run('printf "\\377\\376\\000ok\\n"; head -c 200000 /dev/zero | tr "\\000" x; echo; echo after');
    assert.equal(result.exitCode, 0);
    assert.ok(result.stdout[0]?.endsWith('ok'), JSON.stringify(result.stdout[0]));
    const pieces = result.stdout.slice(1, -1);
    assert.ok(pieces.every((p) => p.length <= maxLineLength && /^x*$/.test(p)));
    assert.equal(pieces.join('').length, 200_000);
    assert.equal(result.stdout.at(-1), 'after');
  });

  test('20 MB of output is streamed line by line while porter\'s memory stays modest', { timeout: 120_000 }, async () => {
    const line = 'porter streams this line and keeps none of it....'; // 49 characters + newline
    const total = 20_000_000;
    const before = process.memoryUsage().rss;
    let peak = before;
    let bytes = 0;
    let lines = 0;
    const { exitCode } = await engine.runToExit(
      { image, env: [], binds: [], labels, cmd: ['sh', '-c', `yes '${line}' | head -c ${total}`] },
      (text) => {
        bytes += text.length + 1;
        lines += 1;
        if (lines % 10_000 === 0) peak = Math.max(peak, process.memoryUsage().rss);
      },
      never(),
    );
    assert.equal(exitCode, 0);
    assert.equal(bytes, total);
    assert.equal(lines, total / (line.length + 1));
    const grownMb = (peak - before) / 1024 / 1024;
    process.stderr.write(`# RSS grew ${grownMb.toFixed(1)} MB streaming 20 MB\n`);
    // Streaming measured 25-50 MB here (GC slack); keeping every line costs about 100 MB.
    assert.ok(grownMb < 80, `RSS grew by ${grownMb.toFixed(1)} MB while streaming 20 MB`);
  });

  test('lines arrive while the container is still running, not when it exits', { timeout: 30_000 }, async () => {
    const repo = await tempDir();
    const lines: string[] = [];
    // The container waits for a file the test writes only once it has seen "ready": buffering would deadlock.
    const { exitCode } = await engine.runToExit({
      image, env: [], labels, binds: [`${repo}:/repo_root`],
      cmd: ['sh', '-c', 'echo ready; while [ ! -e /repo_root/go ]; do sleep 0.1; done; echo done'],
    }, (line) => {
      lines.push(line);
      if (line === 'ready') writeFileSync(`${repo}/go`, '');
    }, never());
    assert.equal(exitCode, 0);
    assert.deepEqual(lines, ['ready', 'done']);
  });

  test('.dockerignore is honoured: ignored files never reach the image, ! exceptions do', { timeout: 60_000 }, async () => {
    const context = await fixtureContext('dockerignore');
    const id = await engine.buildImage({ contextDir: context, dockerfile: 'Dockerfile', tag: `porter-test-${runId}:ignore`, labels, buildArgs: {} }, () => {}, never());
    const { stdout } = await run('cd /ctx && find . -type f | sort', { image: id });
    assert.deepEqual(stdout, ['./.dockerignore', './kept.txt', './logs/keep.txt']);
  });

  test('a bind mount is visible at its target, read-write, and read-only with :ro', { timeout: 30_000 }, async () => {
    const repo = await tempDir();
    await writeFile(`${repo}/marker.txt`, `${runId}\n`);
    const rw = await run('cat /repo_root/marker.txt && echo written > /repo_root/out.txt', { binds: [`${repo}:/repo_root`] });
    assert.deepEqual(rw.stdout, [runId]);
    assert.equal(await readFile(`${repo}/out.txt`, 'utf8'), 'written\n');

    const ro = await run('echo nope > /repo_root/out.txt', { binds: [`${repo}:/repo_root:ro`] });
    assert.notEqual(ro.exitCode, 0);
    assert.ok(ro.stderr.some((l) => /read-only/i.test(l)), ro.stderr.join('\n'));

    // A relative source would silently become a named volume on the engine: refused before anything is created.
    await assert.rejects(run('true', { binds: ['repo:/repo_root'] }), /bind mount source must be an absolute path: repo:\/repo_root/);
  });

  test('a failing RUN rejects with BuildFailure carrying the builder\'s message', { timeout: 60_000 }, async () => {
    const seen = capture();
    const context = await fixtureContext('failing-run');
    const build = engine.buildImage({ contextDir: context, dockerfile: 'Dockerfile', tag: `porter-test-${runId}:failing`, labels, buildArgs: {} }, seen.sink, never());
    await assert.rejects(build, (err: unknown) => {
      assert.ok(err instanceof BuildFailure);
      assert.match(err.builderMessage, /returned a non-zero code: 3/);
      return true;
    });
    assert.ok(seen.stdout.includes('about to fail'));
  });

  test('a Dockerfile the builder rejects up front is a BuildFailure too', { timeout: 60_000 }, async () => {
    const context = await fixtureContext('bad-instruction');
    const build = engine.buildImage({ contextDir: context, dockerfile: 'Dockerfile', tag: `porter-test-${runId}:bad`, labels, buildArgs: {} }, () => {}, never());
    await assert.rejects(build, (err: unknown) => err instanceof BuildFailure && /unknown instruction: FROBNICATE/i.test(err.builderMessage));
  });

  test('removeContainers force-removes a running container; its run ends instead of hanging', { timeout: 30_000 }, async () => {
    const seen: string[] = [];
    let started!: () => void;
    const isRunning = new Promise<void>((resolve) => (started = resolve));
    const running = engine.runToExit({ image, env: [], binds: [], labels, cmd: ['sh', '-c', 'echo started; sleep 30'] }, (line) => {
      seen.push(line);
      started();
    }, never());
    await isRunning;
    assert.equal(await engine.removeContainers(labels), 1);
    const { exitCode } = await running;
    assert.notEqual(exitCode, 0);
  });

  test('removeImages removes every image with the labels, and nothing with them is left', { timeout: 60_000 }, async () => {
    assert.ok((await engine.removeImages(labels)) >= 3);
    assert.deepEqual(await engine.findImages(labels), []);
    await assertNothingLeft(labels);
  });
});
