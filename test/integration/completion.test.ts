/** `porter completion bash` sourced in a real bash: what it completes, hook lists and environments read from the config then. */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { removeTempDirs, tempDir, writeTree } from '../helpers/temp-dirs.js';
import { porterEnv } from '../helpers/porter-cli.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const main = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

after(() => removeTempDirs());

describe('porter completion bash, in bash', () => {
  let bin: string;
  let script: string;
  let repo: string;

  before(async () => {
    // `porter` on the PATH, as a user has it: the script calls the command being completed.
    bin = await tempDir('porter-completion-bin-');
    // tsx by its path: the wrapper runs in the directory being completed, where no node_modules has it.
    const tsx = import.meta.resolve('tsx');
    await writeTree(bin, { porter: { content: `#!/bin/sh\nexec '${process.execPath}' --import '${tsx}' '${main}' "$@"\n`, mode: 0o755 } });
    script = join(bin, 'porter.bash');
    const printed = spawnSync(join(bin, 'porter'), ['completion', 'bash'], { cwd: root, env: porterEnv(), encoding: 'utf8' });
    assert.equal(printed.status, 0, printed.stderr);
    await writeTree(bin, { 'porter.bash': printed.stdout });
    repo = await tempDir('porter-completion-repo-');
    await writeTree(repo, {
      '.porter/config': 'service_name: x\nhooks:\n  pre_pack: []\n  smoke: []\n  lint-all: []\nenvironments:\n- name: Stage\n  regions: [{name: a}]\n- name: Prod\n  regions: [{name: b}]\n',
      'other/cfg.yaml': 'service_name: x\nhooks:\n  nightly: []\nenvironments:\n- {name: Qa, regions: [{name: q}]}\n',
    });
  }, { timeout: 30_000 });

  /** What bash offers for `line` with the cursor at its end (a trailing space starts a new word). */
  function complete(line: string): string[] {
    const words = line.split(/\s+/);
    const program = [
      `source ${JSON.stringify(script)}`,
      `COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')})`,
      `COMP_CWORD=${words.length - 1}`,
      `COMP_LINE=${JSON.stringify(line)}; COMP_POINT=${line.length}`,
      '_porter',
      'printf "%s\\n" "${COMPREPLY[@]}"',
    ].join('\n');
    const out = execFileSync('bash', ['--norc', '--noprofile', '-c', program], { cwd: repo, env: porterEnv({ PATH: `${bin}:${process.env.PATH ?? ''}` }), encoding: 'utf8' });
    return out.split('\n').filter(Boolean).sort();
  }

  it('registers itself for porter', () => {
    const out = execFileSync('bash', ['--norc', '--noprofile', '-c', `source ${JSON.stringify(script)}; complete -p porter`], { encoding: 'utf8' });
    assert.equal(out.trim(), 'complete -F _porter porter');
  });

  it('completes commands, subcommands and shells', { timeout: 10_000 }, () => {
    assert.deepEqual(complete('porter '), ['build', 'completion', 'config', 'debug', 'init', 'watch']);
    assert.deepEqual(complete('porter b'), ['build']);
    assert.deepEqual(complete('porter build '), ['clean', 'hook', 'pack', 'promote', 'provision', 'prune', 'rollback', 'status', 'teardown']);
    assert.deepEqual(complete('porter build pr'), ['promote', 'provision', 'prune']);
    assert.deepEqual(complete('porter config '), ['validate']);
    assert.deepEqual(complete('porter completion '), ['bash', 'fish', 'zsh']);
    assert.deepEqual(complete('porter help build '), ['clean', 'hook', 'pack', 'promote', 'provision', 'prune', 'rollback', 'status', 'teardown']);
    assert.deepEqual(complete('porter -C . --report r.html build '), ['clean', 'hook', 'pack', 'promote', 'provision', 'prune', 'rollback', 'status', 'teardown'], 'option values are not commands');
  });

  it('completes options and their fixed values', { timeout: 10_000 }, () => {
    assert.deepEqual(complete('porter build hook --'), ['--config', '--dry-run', '--environment', '--help', '--junit', '--log-format', '--name', '--no-color', '--quiet', '--repo-transfer', '--report']);
    assert.deepEqual(complete('porter build prune --k'), ['--keep']);
    assert.deepEqual(complete('porter build rollback --t'), ['--to']);
    assert.deepEqual(complete('porter --log-format '), ['json', 'text']);
    assert.deepEqual(complete('porter --repo-transfer '), ['auto', 'copy', 'mount']);
    assert.deepEqual(complete('porter --v'), ['--version']);
  });

  it('completes hook lists and environments from the config as it is when you press Tab', { timeout: 60_000 }, () => {
    assert.deepEqual(complete('porter build hook -name '), ['lint-all', 'smoke'], 'user-defined lists only, with the original\'s -name');
    assert.deepEqual(complete('porter build hook --name s'), ['smoke']);
    assert.deepEqual(complete('porter build provision -e '), ['Prod', 'Stage']);
    assert.deepEqual(complete('porter --config other/cfg.yaml build hook -n '), ['nightly'], '--config is followed');
    assert.deepEqual(complete(`porter -C ${repo}/other build hook -n `), [], 'a directory without a config completes to nothing');
    assert.deepEqual(complete(`porter -C ${repo} --config other/cfg.yaml build promote --environment `), ['Qa']);
  });
});
