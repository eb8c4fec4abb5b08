import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { rewriteGoFlags, rewriteHelpCommand } from '../../src/cli/argv.js';
import { UsageError } from '../../src/errors.js';

describe('rewriteGoFlags', () => {
  it('turns the original single-dash long flags into double-dash ones', () => {
    assert.deepEqual(rewriteGoFlags(['build', 'hook', '-name', 'smoke', '-e', 'Stage']), ['build', 'hook', '--name', 'smoke', '-e', 'Stage']);
    assert.deepEqual(rewriteGoFlags(['-name=smoke', '-keep', '2', '-stack', 'abc']), ['--name=smoke', '--keep', '2', '--stack', 'abc']);
  });
  it('leaves short flags, double-dash flags and unknown words alone', () => {
    assert.deepEqual(rewriteGoFlags(['-C', 'dir', '--name', 'x', '-q', '-xyz']), ['-C', 'dir', '--name', 'x', '-q', '-xyz']);
  });
  it('stops at --', () => {
    assert.deepEqual(rewriteGoFlags(['-name', 'a', '--', '-name']), ['--name', 'a', '--', '-name']);
  });
});

describe('rewriteHelpCommand', () => {
  const known = (words: readonly string[]): boolean => ['build', 'build hook', 'config'].includes(words.join(' '));
  it('turns `help <command...>` into `<command...> --help`, two levels deep', () => {
    assert.deepEqual(rewriteHelpCommand(['help', 'build', 'hook'], known), ['build', 'hook', '--help']);
    assert.deepEqual(rewriteHelpCommand(['help', 'config'], known), ['config', '--help']);
    assert.deepEqual(rewriteHelpCommand(['-C', 'help', '--log-format', 'json', '-q', 'help', 'build'], known), ['-C', 'help', '--log-format', 'json', '-q', 'build', '--help']);
  });
  it('leaves `help` alone, other commands, and help with options', () => {
    assert.deepEqual(rewriteHelpCommand(['help'], known), ['help']);
    assert.deepEqual(rewriteHelpCommand(['build', 'hook', '-n', 'help'], known), ['build', 'hook', '-n', 'help']);
    assert.deepEqual(rewriteHelpCommand(['help', '--all'], known), ['help', '--all']);
  });
  it('refuses help for a command that does not exist', () => {
    assert.throws(() => rewriteHelpCommand(['help', 'build', 'nosuch'], known), (err: unknown) => err instanceof UsageError && /porter help build nosuch: there is no such command/.test(err.message));
  });
});
