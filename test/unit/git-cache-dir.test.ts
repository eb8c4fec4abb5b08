import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { defaultPluginCacheDir, repoCachePaths } from '../../src/git/plugin-cache.js';
import { gitEnvironment } from '../../src/git/git-env.js';

/** Pure code: any test over this budget is stuck, not slow. */
const BUDGET = { timeout: 5_000 };

describe('defaultPluginCacheDir', () => {
  it('uses XDG_CACHE_HOME when it is absolute', BUDGET, () => {
    assert.equal(defaultPluginCacheDir({ XDG_CACHE_HOME: '/xdg', HOME: '/home/u' }), '/xdg/porter/plugins');
  });
  it('falls back to ~/.cache, ignoring a relative XDG_CACHE_HOME as the XDG spec says', BUDGET, () => {
    assert.equal(defaultPluginCacheDir({ HOME: '/home/u' }), '/home/u/.cache/porter/plugins');
    assert.equal(defaultPluginCacheDir({ XDG_CACHE_HOME: 'rel', HOME: '/home/u' }), '/home/u/.cache/porter/plugins');
  });
});

describe('repoCachePaths', () => {
  it('names a repo by the sha256 of its URL, never by the URL (which may hold credentials)', BUDGET, () => {
    const p = repoCachePaths('/c', 'https://u:secret@example.com/x.git');
    for (const path of Object.values(p)) assert.doesNotMatch(path, /secret|example/);
    assert.match(p.mirror, /^\/c\/repos\/[0-9a-f]{64}$/);
    assert.match(p.checkouts, /^\/c\/checkouts\/[0-9a-f]{64}$/);
  });
});

describe('gitEnvironment', () => {
  it('passes only what git needs, never the user config, hooks or askpass, and forbids prompts', BUDGET, () => {
    const env = gitEnvironment({
      PATH: '/bin', HOME: '/home/u', XDG_CONFIG_HOME: '/cfg', GIT_DIR: '/evil', GIT_CONFIG_GLOBAL: '/g',
      GIT_SSH_COMMAND: 'evil', GIT_ASKPASS: 'x', SSH_AUTH_SOCK: '/agent', HTTPS_PROXY: 'http://proxy:3128', SECRET: 's',
      GIT_SSL_CAINFO: '/etc/ssl/corp.pem', GIT_SSL_NO_VERIFY: '1',
    });
    assert.deepEqual(Object.keys(env).sort(), [
      'GIT_ALLOW_PROTOCOL', 'GIT_CONFIG_NOSYSTEM', 'GIT_SSH_COMMAND', 'GIT_SSL_CAINFO', 'GIT_TERMINAL_PROMPT', 'HTTPS_PROXY', 'LC_ALL', 'PATH',
      'SSH_AUTH_SOCK',
    ]);
    assert.equal(env.GIT_TERMINAL_PROMPT, '0');
    assert.equal(env.GIT_SSH_COMMAND, 'ssh -o BatchMode=yes');
    assert.doesNotMatch(env.GIT_ALLOW_PROTOCOL ?? '', /ext|fd/);
  });
});
