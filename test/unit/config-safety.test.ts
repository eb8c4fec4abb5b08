import assert from 'node:assert/strict';
import { mkdir, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { makeLookup } from '../../src/config/expand.js';
import { parseConfigText } from '../../src/config/parse.js';
import { ConfigError } from '../../src/errors.js';
import { validatePluginSource } from '../../src/git/ref.js';
import { configProblems, DOCKERFILE, problemAt, removeTempRepos, tempRepo } from '../fixtures/config/temp-repo.js';

after(removeTempRepos);

const parse = (text: string, repo: string, env: Record<string, string> = {}) => parseConfigText(text, '.porter/config', repo, makeLookup(env, {}));
const problems = (text: string, repo: string, env: Record<string, string> = {}) => configProblems(parse(text, repo, env));
const hooks = (lines: string[]) => ['service_name: hello', 'hooks:', '  pre_pack:', ...lines].join('\n');
const local = (path: string, key = 'dockerfile') => hooks([`  - ${key === 'dockerfile' ? '' : 'dockerfile: Dockerfile\n    '}${key}: ${JSON.stringify(path)}`]);
const plugin = (repo: string, ref = 'v1.0.0') => hooks([`  - repo: ${JSON.stringify(repo)}`, `    ref: ${JSON.stringify(ref)}`]);

describe('safety: local paths', () => {
  it('accepts a Dockerfile inside the repo, through an inner symlink too', async () => {
    const repo = await tempRepo({ 'hooks/real/Dockerfile': DOCKERFILE });
    await symlink(join(repo, 'hooks/real'), join(repo, 'hooks/link'));
    const config = await parse(local('hooks/link/Dockerfile'), repo);
    assert.equal(config.hooks.pre_pack?.[0]?.dockerfile, 'hooks/link/Dockerfile');
  });

  it('names a missing local Dockerfile and where it looked', async () => {
    const repo = await tempRepo();
    const p = problemAt(await problems(local('.porter/hooks/lint'), repo), 'hooks.pre_pack[0].dockerfile');
    assert.equal(p.line, 4);
    assert.match(p.message, /^no Dockerfile at "\.porter\/hooks\/lint" \(looked for .*\.porter\/hooks\/lint\); the path is relative to the repo root\.$/);
  });

  it('refuses a directory as a Dockerfile', async () => {
    const repo = await tempRepo({ 'hooks/lint/Dockerfile': DOCKERFILE });
    const p = problemAt(await problems(local('hooks/lint'), repo), 'hooks.pre_pack[0].dockerfile');
    assert.match(p.message, /"hooks\/lint" is a directory; name the Dockerfile inside it, such as hooks\/lint\/Dockerfile/);
  });

  it('refuses absolute paths and .. out of the repo, for dockerfile and env_file', async () => {
    const repo = await tempRepo({ Dockerfile: DOCKERFILE });
    for (const key of ['dockerfile', 'env_file']) {
      const abs = problemAt(await problems(local('/etc/passwd', key), repo), `hooks.pre_pack[0].${key}`);
      assert.match(abs.message, /is an absolute path; write the .*'s path relative to the repo root/);
      const up = problemAt(await problems(local('hooks/../../outside', key), repo), `hooks.pre_pack[0].${key}`);
      assert.match(up.message, /"hooks\/\.\.\/\.\.\/outside" leaves the repo root/);
    }
  });

  it('accepts .. that stays inside the repo, and a missing env_file (read when the hook runs)', async () => {
    const repo = await tempRepo({ Dockerfile: DOCKERFILE });
    const config = await parse(hooks(['  - dockerfile: hooks/../Dockerfile', '    env_file: ./ci/../hook.env']), repo);
    assert.equal(config.hooks.pre_pack?.[0]?.dockerfile, 'Dockerfile');
    assert.equal(config.hooks.pre_pack?.[0]?.envFile, 'hook.env');
  });

  it('refuses a symlink out of the repo: a file, or a directory on the way to a missing file', async () => {
    const outside = await tempRepo({ 'Dockerfile': DOCKERFILE, 'secrets.env': 'A=1\n' });
    const repo = await tempRepo({ Dockerfile: DOCKERFILE });
    await mkdir(join(repo, '.porter'));
    await symlink(join(outside, 'Dockerfile'), join(repo, '.porter/evil'));
    await symlink(outside, join(repo, '.porter/outdir'));
    const found = await problems(hooks(['  - dockerfile: .porter/evil', '  - dockerfile: Dockerfile', '    env_file: .porter/outdir/missing.env']), repo);
    assert.match(problemAt(found, 'hooks.pre_pack[0].dockerfile').message, /^"\.porter\/evil" resolves outside the repo root through a symlink \(to .*Dockerfile\)/);
    assert.match(problemAt(found, 'hooks.pre_pack[1].env_file').message, /resolves outside the repo root through a symlink/);
  });
});

describe('safety: plugins', () => {
  it('accepts the URL forms git users write', async () => {
    const repo = await tempRepo();
    for (const url of ['https://example.com/org/p.git', 'ssh://git@example.com/org/p.git', 'git@github.com:org/p.git', 'file:///srv/git/p.git', '/srv/git/p.git', 'git://127.0.0.1:9418/p.git']) {
      const config = await parse(plugin(url), repo);
      assert.equal(config.hooks.pre_pack?.[0]?.repo, url);
    }
    for (const ref of ['v1.0.0', 'main', 'feature/x-1', 'HEAD', 'v1@2', 'release+1', '0123456789abcdef0123456789abcdef01234567']) {
      assert.equal((await parse(plugin('https://example.com/p.git', ref), repo)).hooks.pre_pack?.[0]?.ref, ref);
    }
  });

  it('refuses a repo or ref that git would read as an option', async () => {
    const repo = await tempRepo();
    const r = problemAt(await problems(plugin('--upload-pack=touch /tmp/x'), repo), 'hooks.pre_pack[0].repo');
    assert.match(r.message, /^repo "--upload-pack=touch \/tmp\/x" starts with "-", so git could read it as an option; .*whitespace/);
    assert.equal(r.message.includes('\n'), false, 'one paragraph');
    const f = problemAt(await problems(plugin('https://example.com/p.git', '-oProxyCommand=x'), repo), 'hooks.pre_pack[0].ref');
    assert.equal(f.message, 'ref "-oProxyCommand=x" starts with "-", so git could read it as an option.');
  });

  it('refuses exactly what the fetcher refuses: the config and fetch-time checks are one', async () => {
    const repo = await tempRepo();
    const cases: [string, string, 'repo' | 'ref'][] = [
      ['../plugins.git', 'v1', 'repo'], ['plugins/p.git', 'v1', 'repo'], ['ftp://example.com/p.git', 'v1', 'repo'],
      ['https://example.com/p.git', 'refs/heads/main', 'ref'], ['https://example.com/p.git', 'x.lock/y', 'ref'],
      ['https://example.com/p.git', 'main@{1}', 'ref'], ['https://example.com/p.git', 'a/.b', 'ref'],
    ];
    for (const [url, ref, field] of cases) {
      const fetchTime = validatePluginSource(url, ref);
      assert.equal(fetchTime.length, 1, `${url} ${ref}: ${JSON.stringify(fetchTime)}`);
      const found = await problems(plugin(url, ref), repo);
      assert.deepEqual(found.map((p) => [p.path, p.message]), [[`hooks.pre_pack[0].${field}`, `${fetchTime[0]}.`]]);
    }
    const relative = problemAt(await problems(plugin('../plugins.git'), repo), 'hooks.pre_pack[0].repo');
    assert.match(relative.message, /is a relative path; give a URL, or an absolute path or file:\/\/ URL/);
    const full = problemAt(await problems(plugin('https://example.com/p.git', 'refs/tags/v1'), repo), 'hooks.pre_pack[0].ref');
    assert.match(full.message, /write the branch or tag name alone \("v1"\)/);
    for (const [url, ref] of [['/srv/git/p.git', 'HEAD'], ['example.com:p.git', 'v1@2']] as const) {
      assert.deepEqual(validatePluginSource(url, ref), []);
      assert.equal((await parse(plugin(url, ref), repo)).hooks.pre_pack?.[0]?.ref, ref);
    }
  });

  it('refuses refs git would not take or could misread', async () => {
    const repo = await tempRepo();
    for (const ref of ['a..b', 'has space', 'x~1', 'x^', 'a:b', 'a?', 'a*', 'a[', 'a\\b', '.hidden', 'a/', 'main.lock', 'a//b', '']) {
      const found = await problems(plugin('https://example.com/p.git', ref), repo);
      assert.equal(found[0]?.path, 'hooks.pre_pack[0].ref', `ref ${JSON.stringify(ref)}: ${JSON.stringify(found)}`);
    }
  });

  it('refuses the ext:: and fd:: transports and unknown schemes', async () => {
    const repo = await tempRepo();
    const ext = problemAt(await problems(plugin('ext::sh -c touch% /tmp/pwned'), repo), 'hooks.pre_pack[0].repo');
    assert.match(ext.message, /uses git's "<transport>::" remote-helper syntax \(ext:: and fd:: run commands\)/);
    const fd = problemAt(await problems(plugin('fd::3'), repo), 'hooks.pre_pack[0].repo');
    assert.match(fd.message, /^repo "fd::3" uses git's "<transport>::" remote-helper syntax/);
    const scheme = problemAt(await problems(plugin('ftp://example.com/p.git'), repo), 'hooks.pre_pack[0].repo');
    assert.match(scheme.message, /uses the URL scheme "ftp:", which porter does not allow/);
  });

  it('never echoes the credentials in a repo URL', async () => {
    const repo = await tempRepo();
    const text = hooks(['  - repo: "ext::https://bob:s3cret@example.com/p.git"', '    ref: v1', '  - repo: "https://bob:s3cret@example.com/p .git"', '    ref: v1', '  - repo: ftp://$CREDS@example.com/p.git', '    ref: v1']);
    await assert.rejects(parse(text, repo, { CREDS: 'bob:s3cret' }), (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      assert.equal(err.problems.length, 3);
      assert.ok(!err.message.includes('s3cret'), err.message);
      assert.ok(err.message.includes('ext::https://***@example.com/p.git'), err.message);
      assert.ok(err.message.includes('"ftp://***@example.com/p.git"'), err.message);
      return true;
    });
  });

  it('refuses a plugin dockerfile that is absolute or has .. in it', async () => {
    const repo = await tempRepo();
    const withFile = (path: string) => hooks(['  - repo: https://example.com/p.git', '    ref: v1', `    dockerfile: ${path}`]);
    assert.match(problemAt(await problems(withFile('/etc/Dockerfile'), repo), 'hooks.pre_pack[0].dockerfile').message, /is an absolute path; a plugin's dockerfile is a path inside its repository/);
    assert.match(problemAt(await problems(withFile('a/../b/Dockerfile'), repo), 'hooks.pre_pack[0].dockerfile').message, /contains "\.\."/);
    assert.equal((await parse(withFile('./notify/Dockerfile'), repo)).hooks.pre_pack?.[0]?.dockerfile, 'notify/Dockerfile');
  });
});
