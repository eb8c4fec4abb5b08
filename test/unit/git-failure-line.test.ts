import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { gitFailureLine, redactGitText } from '../../src/git/git-failure-line.js';

/** Pure code: any test over this budget is stuck, not slow. */
const BUDGET = { timeout: 5_000 };

describe('gitFailureLine', () => {
  it("takes git's first fatal line, without its prefix and final dot", BUDGET, () => {
    const err = new Error("fatal: '/x.git' does not appear to be a git repository\nfatal: Could not read from remote repository.\n\nPlease make sure...");
    assert.equal(gitFailureLine(err, '/x.git'), "'/x.git' does not appear to be a git repository");
  });

  it('skips warnings and hints, and keeps a first line that is not fatal (ssh speaks first)', BUDGET, () => {
    const err = new Error('warning: redirecting to https://h/x.git/\nssh: connect to host h port 22: Connection refused\nfatal: Could not read from remote repository.');
    assert.equal(gitFailureLine(err, 'ssh://h/x'), 'ssh: connect to host h port 22: Connection refused');
  });

  it('joins a reason git wrapped onto a second line', BUDGET, () => {
    const err = new Error('fatal: unable to connect to 127.0.0.1:\n127.0.0.1[0: 127.0.0.1]: errno=Connection refused\n');
    assert.equal(gitFailureLine(err, 'git://127.0.0.1/x'), 'unable to connect to 127.0.0.1: 127.0.0.1[0: 127.0.0.1]: errno=Connection refused');
  });

  it('falls back to the first line, then to a fixed text', BUDGET, () => {
    assert.equal(gitFailureLine(new Error('\n  hint: only a hint  \n'), 'x'), 'hint: only a hint');
    assert.equal(gitFailureLine(new Error(''), 'x'), 'git failed without a message');
  });

  it('hides credentials of any URL in the line', BUDGET, () => {
    const err = new Error("fatal: unable to access 'https://bob:hunter2x@example.com/x.git/': 403");
    assert.equal(gitFailureLine(err, 'https://other@example.com/x.git'), "unable to access 'https://***@example.com/x.git/': 403");
  });
});

describe('redactGitText', () => {
  it("hides the repo's password wherever it appears, raw or percent-decoded", BUDGET, () => {
    const repo = 'https://bob:p%40ss-w0rd@example.com/x.git';
    assert.equal(redactGitText('auth p@ss-w0rd rejected; p%40ss-w0rd', repo), 'auth *** rejected; ***');
  });

  it('hides a lone token, but not a plain user name such as git', BUDGET, () => {
    assert.equal(redactGitText('token ghp_abcdefghijklmnop0123 refused', 'https://ghp_abcdefghijklmnop0123@github.com/o/r.git'), 'token *** refused');
    assert.equal(redactGitText('git said no', 'ssh://git@example.com/o/r.git'), 'git said no');
  });
});
