import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isFullSha, validatePluginSource } from '../../src/git/ref.js';

/** Pure code: any test over this budget is stuck, not slow. */
const BUDGET = { timeout: 5_000 };

const SHA = '0123456789abcdef0123456789abcdef01234567';
const GOOD_REPO = 'https://example.com/org/plugins.git';

describe('validatePluginSource', () => {
  const goodRepos = [
    GOOD_REPO,
    'https://user:token@example.com/org/plugins.git',
    'http://127.0.0.1:8080/plugins.git',
    'ssh://git@example.com:2222/org/plugins.git',
    'git+ssh://git@example.com/org/plugins.git',
    'git://127.0.0.1:9418/plugins.git',
    'file:///srv/git/plugins.git',
    'git@github.com:org/plugins.git',
    'example.com:plugins.git',
    '/srv/git/plugins.git',
  ];
  for (const repo of goodRepos) {
    it(`accepts repo ${repo}`, BUDGET, () => assert.deepEqual(validatePluginSource(repo, 'main'), []));
  }

  const goodRefs = ['main', 'v1.0.0', 'release/2024-05', 'feature/x_y', SHA, 'deadbee', 'HEAD', 'a.b', 'v1@2'];
  for (const ref of goodRefs) {
    it(`accepts ref ${ref}`, BUDGET, () => assert.deepEqual(validatePluginSource(GOOD_REPO, ref), []));
  }

  const badRepos: Array<[string, string, RegExp]> = [
    ['option-like', '--upload-pack=touch /tmp/pwned', /starts with "-"/],
    ['option-like, short', '-oProxyCommand=x', /starts with "-"/],
    ['ext:: transport', 'ext::sh -c touch% /tmp/pwned', /remote-helper syntax/],
    ['ext:: without spaces', 'ext::evil', /remote-helper syntax/],
    ['fd:: transport', 'fd::17', /remote-helper syntax/],
    ['any <transport>:: helper', 'testgit::/tmp/x', /remote-helper syntax/],
    ['helper with a scheme-like name', 'git+foo::https://example.com/x', /remote-helper syntax/],
    ['whitespace', 'https://example.com/a b.git', /whitespace or control/],
    ['newline', 'https://example.com/a.git\n--upload-pack=x', /whitespace or control/],
    ['NUL', 'https://example.com/a.git\u0000x', /whitespace or control/],
    ['tab', '\thttps://example.com/a.git', /whitespace or control/],
    ['an unknown URL scheme (a remote helper)', 'foo://example.com/x.git', /scheme "foo:"/],
    ['ssh host starting with "-"', 'ssh://-oProxyCommand=x/repo', /host starting with "-"/],
    ['scp-like host starting with "-"', '-oProxyCommand=x:repo', /starts with "-"/],
    ['scp-like user@-host', 'git@-oProxyCommand=x:repo', /user or host starting with "-"/],
    ['a relative path', 'plugins/repo.git', /relative path/],
    ['empty', '', /empty/],
  ];
  for (const [name, repo, message] of badRepos) {
    it(`rejects repo: ${name}`, BUDGET, () => {
      const problems = validatePluginSource(repo, 'main');
      assert.ok(problems.some((p) => message.test(p)), `${JSON.stringify(repo)} → ${JSON.stringify(problems)}`);
    });
  }

  const badRefs: Array<[string, string, RegExp]> = [
    ['option-like', '--output=/tmp/x', /starts with "-"/],
    ['short option', '-b', /starts with "-"/],
    ['range', 'main..evil', /"\.\."/],
    ['tilde', 'main~1', /"~"/],
    ['caret', 'v1^{tree}', /"\^"/],
    ['colon', 'main:path', /":"/],
    ['question mark', 'ma?n', /"\?"/],
    ['star', 'release/*', /"\*"/],
    ['bracket', 'ma[in]', /"\["/],
    ['backslash', 'ma\\in', /"\\"/],
    ['space', 'my branch', /whitespace or control/],
    ['newline', 'main\nx', /whitespace or control/],
    ['control character', 'main\u0007', /whitespace or control/],
    ['DEL', 'main\u007f', /whitespace or control/],
    ['trailing .lock', 'main.lock', /\.lock/],
    ['component ending .lock', 'x.lock/y', /\.lock/],
    ['trailing slash', 'main/', /empty path component/],
    ['leading slash', '/main', /empty path component/],
    ['double slash', 'a//b', /empty path component/],
    ['component starting with a dot', 'a/.hidden', /starting with "\."/],
    ['trailing dot', 'main.', /ends with "\."/],
    ['reflog syntax', 'main@{1}', /"@\{"/],
    ['lone @', '@', /"@"/],
    ['full ref name', 'refs/tags/v1', /branch or tag name alone \("v1"\)/],
    ['empty', '', /empty/],
  ];
  for (const [name, ref, message] of badRefs) {
    it(`rejects ref: ${name}`, BUDGET, () => {
      const problems = validatePluginSource(GOOD_REPO, ref);
      assert.ok(problems.some((p) => message.test(p)), `${JSON.stringify(ref)} → ${JSON.stringify(problems)}`);
    });
  }

  it('reports problems of repo and ref together', BUDGET, () => {
    assert.equal(validatePluginSource('-x', '-y').length, 2);
  });

  it('never shows the credentials of a repo URL', BUDGET, () => {
    const problems = validatePluginSource('foo://user:s3cret-token@example.com/x.git', 'main');
    assert.equal(problems.length, 1);
    assert.doesNotMatch(problems.join('\n'), /s3cret/);
    assert.match(problems.join('\n'), /foo:\/\/\*\*\*@example\.com/);
  });
});

describe('isFullSha', () => {
  it('is true only for 40 lower-case hex digits', BUDGET, () => {
    assert.equal(isFullSha(SHA), true);
    assert.equal(isFullSha(SHA.slice(1)), false);
    assert.equal(isFullSha(SHA.toUpperCase()), false);
    assert.equal(isFullSha(`${SHA}0`), false);
    assert.equal(isFullSha('main'), false);
  });
});
