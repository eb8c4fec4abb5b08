import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Command } from 'commander';
import { buildProgram, type CliIO } from '../../src/cli/program.js';
import { runCli } from '../../src/cli/run-cli.js';
import { VERSION } from '../../src/cli/version.js';

function io(argv: string[], out: string[], err: string[]): CliIO {
  return {
    argv, env: {}, cwd: '/nonexistent', stdout: (t) => out.push(t), stderr: (t) => err.push(t), stdoutIsTTY: false,
    signal: new AbortController().signal, owner: { pid: 1, host: 'test', isAlive: () => true },
  };
}

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(io(argv, out, err));
  return { code, out: out.join(''), err: err.join('') };
}

/** Every command a user can run (the leaves of the tree), as the words that name it. */
function leaves(cmd: Command, words: string[] = []): string[][] {
  const subs = cmd.commands.filter((c) => c.name() !== 'help');
  return subs.length === 0 ? [words] : subs.flatMap((c) => leaves(c, [...words, c.name()]));
}

describe('porter --version and porter help', () => {
  it('prints the package version', { timeout: 5000 }, async () => {
    for (const flag of ['--version', '-V', '-version']) {
      const { code, out } = await cli(flag);
      assert.equal(code, 0);
      assert.equal(out, `${VERSION}\n`);
    }
  });

  it('gives every command help with an Example and the global options, through `porter help <command>`', { timeout: 10_000 }, async () => {
    const commands = leaves(buildProgram(io([], [], []), () => undefined));
    assert.ok(commands.some((w) => w.join(' ') === 'build hook') && commands.some((w) => w.join(' ') === 'config validate'));
    for (const words of commands) {
      const { code, out } = await cli('help', ...words);
      assert.equal(code, 0, words.join(' '));
      assert.match(out, new RegExp(`^Usage: porter ${words.join(' ')} `), words.join(' '));
      assert.match(out, /\nExamples?:\n {2}porter /, `porter help ${words.join(' ')} shows an example`);
      assert.match(out, /--log-format/, `porter help ${words.join(' ')} shows the global options`);
    }
  });

  it('shows examples in the top-level help and for each command group', { timeout: 5000 }, async () => {
    for (const argv of [['help'], ['--help'], ['help', 'build'], ['help', 'config']]) {
      const { code, out } = await cli(...argv);
      assert.equal(code, 0);
      assert.match(out, /\nExamples?:\n {2}porter /, argv.join(' '));
    }
  });

  it('says an unknown command is a usage error (exit 2)', { timeout: 5000 }, async () => {
    const { code, err, out } = await cli('help', 'nosuch');
    assert.equal(code, 2);
    assert.match(err, /^porter: porter help nosuch: there is no such command/);
    assert.equal(out, '');
  });
});
