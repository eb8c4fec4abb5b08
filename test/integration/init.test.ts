/** `porter init` as a user runs it: off a terminal (asks nothing), on a real pseudo-terminal (util-linux `script`), then its hook on the real engine. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, test } from 'node:test';
import { describeDocker, removeTempDirs, sweepAfterSuite, tempDir, uniqueRunId, writeTree } from '../helpers/docker.js';
import { assertExit } from '../helpers/fault-checks.js';
import { porterEnv, runPorter, type PorterExit } from '../helpers/porter-cli.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const main = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const plain = uniqueRunId();
const asked = uniqueRunId();

after(() => removeTempDirs());

/**
 * Runs `porter -C dir init` on a pseudo-terminal (`script` from util-linux, in every Debian): each time the screen
 * matches a step's pattern, its keys are typed.
 */
function initOnTerminal(dir: string, steps: [RegExp, string][]): Promise<PorterExit> {
  const command = [process.execPath, '--import', 'tsx', main, '-C', dir, 'init'].map((w) => `'${w.replace(/'/g, "'\\''")}'`).join(' ');
  const child = spawn('script', ['-qfec', command, '/dev/null'], { cwd: root, env: porterEnv({ TERM: 'dumb' }), stdio: ['pipe', 'pipe', 'pipe'] });
  let screen = '';
  let unread = '';
  let err = '';
  const timer = setTimeout(() => child.kill('SIGKILL'), 170_000);
  child.stdout.setEncoding('utf8').on('data', (text: string) => {
    screen += text;
    unread += text;
    const step = steps[0];
    if (step && step[0].test(unread)) {
      steps.shift();
      unread = '';
      child.stdin.write(step[1]);
    }
  });
  child.stderr.setEncoding('utf8').on('data', (text: string) => void (err += text));
  return new Promise((resolve) => {
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      child.stdin.destroy();
      resolve({ code, signal, stdout: screen, stderr: err });
    });
  });
}

await describeDocker('porter init', () => {
  sweepAfterSuite({ 'porter.service': plain });
  sweepAfterSuite({ 'porter.service': asked });

  test('off a terminal it asks nothing, writes a config that validates, and `build hook -name smoke` passes right after; it never overwrites', { timeout: 240_000 }, async () => {
    const dir = await tempDir('porter-init-test-');
    await writeTree(dir, {
      'package.json': JSON.stringify({ name: `@acme/${plain}` }),
      Dockerfile: 'FROM busybox\nEXPOSE 3000/tcp\nCMD ["httpd", "-f", "-p", "3000"]\n',
      '.gitignore': 'node_modules',
    });
    const init = await runPorter(dir, ['init']);
    assertExit(init, 0);
    assert.match(init.stdout, /^Wrote \.porter\/hooks\/smoke\/Dockerfile and \.porter\/config; added \.porter-tmp\/ to \.gitignore and \.dockerignore\.\n/);
    const config = await readFile(join(dir, '.porter', 'config'), 'utf8');
    const schema = join(root, 'schema', 'porter-config.schema.json');
    assert.equal(config.split('\n')[0], `# yaml-language-server: $schema=${schema}`, 'the editor line names this porter\'s schema');
    assert.match(config, new RegExp(`\nservice_name: ${plain}\n`), 'named after package.json, its scope dropped');
    assert.match(config, /\n {2}smoke:\n {2}- name: hello\n {4}dockerfile: \.porter\/hooks\/smoke\/Dockerfile\n/);
    assert.match(config, /\n- name: Stage\n/);
    assert.match(config, /\n {6}inet_port: 3000 /, 'the root Dockerfile is the service, on its EXPOSEd port');
    assert.match(await readFile(join(dir, '.porter', 'hooks', 'smoke', 'Dockerfile'), 'utf8'), /^FROM busybox$/m);
    assert.equal(await readFile(join(dir, '.gitignore'), 'utf8'), 'node_modules\n.porter-tmp/\n');
    assert.equal(await readFile(join(dir, '.dockerignore'), 'utf8'), '.porter-tmp/\n');

    assertExit(await runPorter(dir, ['config', 'validate']), 0);
    const smoke = await runPorter(dir, ['build', 'hook', '-name', 'smoke']);
    assertExit(smoke, 0);
    assert.match(smoke.stdout, new RegExp(`\\[smoke hello\\] smoke test of ${plain} at unversioned\\n`));
    assert.match(smoke.stdout, /passed\s+smoke hello/);
    assertExit(await runPorter(dir, ['build', 'hook', '-name', 'smoke', '-e', 'Stage']), 0);

    const again = await runPorter(dir, ['init']);
    assertExit(again, 2, /porter init: \.porter\/config already exists in .*never overwrites/);
    assert.equal(await readFile(join(dir, '.porter', 'config'), 'utf8'), config);
    assert.equal(await readFile(join(dir, '.gitignore'), 'utf8'), 'node_modules\n.porter-tmp/\n', 'nothing was touched');
    assertExit(await runPorter(dir, ['build', 'clean']), 0);
  });

  test('on a terminal it asks the service name (again when it is not one), the environment and whether ./Dockerfile is the service', { timeout: 180_000 }, async () => {
    const dir = await tempDir('porter-init-tty-test-');
    await writeTree(dir, { Dockerfile: 'FROM busybox\n' });
    const r = await initOnTerminal(dir, [
      [/Service name \[porter-init-tty-test-[a-z0-9-]+\]: $/i, 'Not A Name\r'],
      [/"Not A Name" will not do: use lowercase letters[^\n]*\n.*Service name/, `${asked}\r`],
      [/Environment to deploy to \[Stage\]: $/, 'Prod\r'],
      [/Is \.\/Dockerfile the service's container\? \[Y\/n\]: $/, 'n\r'],
    ]);
    assertExit(r, 0);
    assert.match(r.stdout, /Wrote \.porter\/hooks\/smoke\/Dockerfile and \.porter\/config/);
    const config = await readFile(join(dir, '.porter', 'config'), 'utf8');
    assert.match(config, new RegExp(`\nservice_name: ${asked}\n`));
    assert.match(config, /\n- name: Prod\n/);
    assert.match(config, /\n {4}# containers:/, 'no container: the Dockerfile is not the service');
    const smoke = await runPorter(dir, ['build', 'hook', '-name', 'smoke', '-e', 'Prod']);
    assertExit(smoke, 0);
    assert.match(smoke.stdout, new RegExp(`\\[smoke hello\\] smoke test of ${asked} at unversioned\\n`));
    assertExit(await runPorter(dir, ['build', 'clean']), 0);
  });

  test('Ctrl-C at a question: exit 130 and nothing written', { timeout: 180_000 }, async () => {
    const dir = await tempDir('porter-init-tty-test-');
    const r = await initOnTerminal(dir, [[/Service name \[.*\]: $/, '\u0003']]);
    assertExit(r, 130);
    assert.deepEqual(await readdir(dir), []);
  });
});
