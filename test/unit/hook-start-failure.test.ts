/** Reading the engine's refusals to start a container, and the advice porter gives for each (pure). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classifyStartRefusal, execFailureLine, isStartRefusal, shellExitCode } from '../../src/docker/start-refusal.js';
import { explainStartFailure, fileToInspect, refineWithFile } from '../../src/hooks/start-failure.js';

const runc = (tail: string): string => `failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: ${tail}: unknown`;

test('the engine\'s words of each everyday mistake, from Docker 20.10 (seen here), newer runc and crun', () => {
  const cases: [string, ReturnType<typeof classifyStartRefusal>][] = [
    [runc('exec: "/nonexistent-binary": stat /nonexistent-binary: no such file or directory'), { kind: 'not-found', command: '/nonexistent-binary' }],
    [runc('exec: "deploy": executable file not found in $PATH'), { kind: 'not-found', command: 'deploy' }],
    ['failed to create task for container: ' + runc('exec: "/s.sh": permission denied'), { kind: 'not-executable', command: '/s.sh' }],
    ['error starting container process: exec: "/t.txt": exec format error', { kind: 'exec-format', command: '/t.txt' }],
    ['crun: executable file `/x` not found in $PATH: No such file or directory: OCI runtime attempted to invoke a command that was not found', { kind: 'not-found', command: '/x' }],
    ['unable to find user nosuchuser: no matching entries in passwd file', { kind: 'unknown-user', user: 'nosuchuser' }],
    ['No command specified', { kind: 'no-command' }],
    [runc('chdir to cwd ("/data/app") set in config.json failed: not a directory'), { kind: 'workdir', dir: '/data/app' }],
    ['error gathering device information while adding custom device "/dev/fuse": no such file or directory', { kind: 'device', device: '/dev/fuse' }],
    ['driver failed programming external connectivity on endpoint x: Bind for 0.0.0.0:80 failed', { kind: 'other' }],
  ];
  for (const [message, expected] of cases) assert.deepEqual(classifyStartRefusal(message), expected, message);
});

test('a refusal is the container\'s fault on any 4xx, and on a 5xx only when it names a known mistake', () => {
  assert.equal(isStartRefusal(400, runc('exec: "/x": permission denied')), true);
  assert.equal(isStartRefusal(409, 'conflict'), true);
  assert.equal(isStartRefusal(500, 'unable to find user deployer: no matching entries in passwd file'), true);
  assert.equal(isStartRefusal(500, 'failed to create endpoint x on network bridge: no space left on device'), false);
  assert.equal(isStartRefusal(undefined, 'No command specified'), false, 'no answer at all is not a refusal');
});

test('the one line a runtime writes when exec fails after start, and nothing else', () => {
  assert.deepEqual(execFailureLine('exec /s.sh: no such file or directory'), { kind: 'interpreter-missing', command: '/s.sh' });
  assert.deepEqual(execFailureLine('exec /t.txt: exec format error'), { kind: 'exec-format', command: '/t.txt' });
  assert.deepEqual(execFailureLine('exec /x: permission denied'), { kind: 'not-executable', command: '/x' });
  assert.equal(execFailureLine('sh: exec: line 1: foo: not found'), undefined);
  assert.equal(execFailureLine('exec /s.sh: no such file or directory, retrying'), undefined);
});

test('exit codes follow the shell: 127 not found, 126 not executable, none where no command was tried', () => {
  assert.equal(shellExitCode({ kind: 'not-found' }), 127);
  assert.equal(shellExitCode({ kind: 'interpreter-missing', command: '/s' }), 127);
  assert.equal(shellExitCode({ kind: 'not-executable' }), 126);
  assert.equal(shellExitCode({ kind: 'exec-format' }), 126);
  assert.equal(shellExitCode({ kind: 'unknown-user' }), undefined);
  assert.equal(shellExitCode({ kind: 'no-command' }), undefined);
});

const subject = { title: 'pre_pack lint', dockerfile: '.porter/hooks/lint/Dockerfile' };
const file = (head: string | Buffer, mode = 0o755) => ({ mode, type: 'file', head: Buffer.isBuffer(head) ? head : Buffer.from(head, 'latin1') });

test('the advice names the fix: chmod +x, CRLF, a #! line, another architecture, the user, a CMD', () => {
  const words = 'the engine\'s words';
  const say = (p: Parameters<typeof explainStartFailure>[0], f?: ReturnType<typeof file>) => explainStartFailure(p, subject, words, f);
  assert.deepEqual(say({ kind: 'not-found', command: '/bin/lnit' }), {
    exitCode: 127, message: 'pre_pack lint could not start: /bin/lnit does not exist in the image. Check CMD and ENTRYPOINT in .porter/hooks/lint/Dockerfile for a typo, and that the file is copied into the image. (The engine said: the engine\'s words)',
  });
  assert.match(say({ kind: 'not-executable', command: '/run.sh' }, file('#!/bin/sh\n', 0o644)).message, /\/run\.sh is not executable \(mode 0644\): it has no run bit\. Add "RUN chmod \+x \/run\.sh" to \.porter\/hooks\/lint\/Dockerfile, or set the bit in the repo \(git update-index --chmod=\+x FILE\)/);
  assert.match(say({ kind: 'interpreter-missing', command: '/run.sh' }, file('#!/bin/sh\r\necho\r\n')).message, /\/run\.sh has Windows \(CRLF\) line endings: its first line asks for "\/bin\/sh\\r"/);
  assert.match(say({ kind: 'interpreter-missing', command: '/run.sh' }, file('#!/bin/bash\necho\n')).message, /the interpreter its first line names \(\/bin\/bash\) is not in the image/);
  assert.match(say({ kind: 'exec-format', command: '/notes' }, file('remember\n')).message, /a script needs a #! line first/);
  assert.match(say({ kind: 'exec-format', command: '/app' }, file(Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1]))).message, /built for another CPU architecture/);
  assert.match(say({ kind: 'unknown-user', user: 'deployer' }).message, /its USER deployer does not exist in the image \(built from \.porter\/hooks\/lint\/Dockerfile\)/);
  assert.match(explainStartFailure({ kind: 'unknown-user', user: 'deployer' }, { ...subject, image: 'porter-hook-x:0123456789ab' }, words).message, /USER deployer does not exist in the image porter-hook-x:0123456789ab \(built from/);
  assert.match(say({ kind: 'no-command' }).message, /has no CMD or ENTRYPOINT.*Add a CMD to \.porter\/hooks\/lint\/Dockerfile/);
});

test('the command\'s own file is read where it tells more, and a "no such file" for a file that exists means its #! interpreter is missing', () => {
  assert.equal(fileToInspect({ kind: 'not-executable', command: '/run.sh' }), '/run.sh');
  assert.equal(fileToInspect({ kind: 'not-found', command: 'deploy' }), undefined, 'a PATH lookup names no file');
  assert.equal(fileToInspect({ kind: 'unknown-user', user: 'x' }), undefined);
  assert.deepEqual(refineWithFile({ kind: 'not-found', command: '/run.sh' }, file('#!/bin/sh\r\n')), { kind: 'interpreter-missing', command: '/run.sh' });
  assert.deepEqual(refineWithFile({ kind: 'not-found', command: '/run.sh' }, undefined), { kind: 'not-found', command: '/run.sh' });
});
