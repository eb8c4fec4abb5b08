/**
 * Fault: hooks that print their secrets every way they can — a whole line, inside other text, on stderr, over several
 * lines, across the 64 KiB cut of an over-long line, in the failure tail, through an output a later hook (and a later
 * command) reads, and before the hook that declares them has run. Every byte porter writes is searched: stdout and
 * stderr in text and JSON format, the JUnit file, the dry-run plan, and every file under .porter-tmp/ except
 * outputs.json, which holds what a hook chose to hand on (README: Guarantees).
 */
import assert from 'node:assert/strict';
import { readFile, readdir, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { after, before, test } from 'node:test';
import { describeDocker, removeTempDirs, sweep, uniqueRunId } from '../helpers/docker.js';
import { assertExit, assertNothingOfRunLeft, porterTmpDir, sharedEngine } from '../helpers/fault-checks.js';
import { hookRepo, scriptHook } from '../helpers/hook-repo.js';
import { runPorter, summaryRow } from '../helpers/porter-cli.js';

const service = uniqueRunId();
const HOST_TOKEN = 'tok7f3a9c1e5b2d8f40';
const FIXED = 'fixd9e2b7c4a1f6035e';
const MULTI = 'mlA9c3e7Qz1x\nmlB4d8f2Wy6v\nmlC0b5a1Ru3t';
const SECRETS = [HOST_TOKEN, FIXED, ...MULTI.split('\n')];

/** Every piece of a secret long enough to matter: 8 characters of a secret, anywhere, is a leak. */
function leaks(text: string): string[] {
  const found: string[] = [];
  for (const secret of SECRETS) {
    for (let i = 0; i + 8 <= secret.length; i++) if (text.includes(secret.slice(i, i + 8))) found.push(`"${secret.slice(i, i + 8)}" of ${secret.slice(0, 4)}…`);
  }
  return [...new Set(found)];
}

const LEAK = [
  'echo "$API_TOKEN"',
  'echo "token=$API_TOKEN; url=https://user:${API_TOKEN}@example.test/x"',
  'echo "on stderr: $API_TOKEN" >&2',
  "printf 'key:\\n%s\\n' \"$MULTI\"",
  'echo "fixed=$FIXED"',
  // One line of 65 530 characters then the token: the 64 KiB cut falls inside it.
  "head -c 65530 /dev/zero | tr '\\0' x; echo \"$API_TOKEN\"",
  'echo "DERIVED=prefix-$API_TOKEN" >> "$PORTER_OUTPUT"',
  'echo "last line: $FIXED"',
  'exit 3',
  '',
].join('\n');

after(() => removeTempDirs());

await describeDocker('faults: secrets never appear in what porter writes', () => {
  let repo: string;
  const env = { API_TOKEN: HOST_TOKEN, MULTI };

  before(async () => {
    repo = await hookRepo(`service_name: ${service}
hooks:
  secret:
${scriptHook('early.sh', { name: 'early' }, { API_TOKEN: null })}
${scriptHook('leak.sh', { name: 'leaky', secrets: ['API_TOKEN', 'MULTI', 'FIXED'] }, { API_TOKEN: null, MULTI: null, FIXED })}
${scriptHook('later.sh', { name: 'later', run_condition: 'always' }, { DERIVED: null })}
  reader:
${scriptHook('later.sh', { name: 'next-command' }, { DERIVED: null })}
`, {
      'scripts/early.sh': 'echo "early sees $API_TOKEN"\n',
      'scripts/leak.sh': LEAK,
      'scripts/later.sh': 'echo "derived: $DERIVED"\n',
    });
  }, { timeout: 30_000 });

  after(() => sweep({ 'porter.service': service }), { timeout: 60_000 });

  /** Every file under .porter-tmp/ but outputs.json, as text. */
  async function porterTmpFiles(): Promise<Record<string, string>> {
    const root = join(repo, '.porter-tmp');
    const entries = await readdir(root, { recursive: true }).catch(() => [] as string[]);
    const files: Record<string, string> = {};
    for (const entry of entries) {
      const path = join(root, entry);
      if ((await stat(path)).isFile() && relative(root, path) !== 'outputs.json') files[relative(repo, path)] = await readFile(path, 'latin1');
    }
    return files;
  }

  test('text, JSON, JUnit and the HTML report: no secret, whole or in part, in any byte; the lines are there, masked', { timeout: 120_000 }, async () => {
    const tmp = await porterTmpDir();
    const junit = join(repo, 'reports', 'junit.xml');
    const html = join(repo, 'reports', 'run.html');
    const text = await runPorter(repo, ['--junit', junit, 'build', 'hook', '-name', 'secret'], { ...env, TMPDIR: tmp });
    assertExit(text, 1);
    const report = await readFile(junit, 'utf8');
    const json = await runPorter(repo, ['--log-format', 'json', '--junit', junit, '--report', html, 'build', 'hook', '-name', 'secret'], { ...env, TMPDIR: tmp });
    assertExit(json, 1);
    const jsonReport = await readFile(junit, 'utf8');
    const htmlReport = await readFile(html, 'utf8');
    const next = await runPorter(repo, ['build', 'hook', '-name', 'reader'], { TMPDIR: tmp });
    assertExit(next, 0);
    const plan = await runPorter(repo, ['build', 'hook', '-name', 'secret', '--dry-run'], { ...env, TMPDIR: tmp });
    assertExit(plan, 0);

    const written: Record<string, string> = {
      'text stdout': text.stdout, 'text stderr': text.stderr, 'text junit': report,
      'json stdout': json.stdout, 'json stderr': json.stderr, 'json junit': jsonReport, 'html report': htmlReport,
      'next command': next.stdout + next.stderr, 'dry run': plan.stdout + plan.stderr,
      ...(await porterTmpFiles()),
    };
    for (const [what, out] of Object.entries(written)) {
      const found = leaks(out);
      const lines = out.split('\n').filter((l) => leaks(l).length > 0).map((l) => (l.length > 120 ? `${l.slice(0, 40)}…${l.slice(-80)}` : l));
      assert.deepEqual(found, [], `a secret in ${what}, on these lines:\n${lines.slice(0, 5).join('\n')}`);
    }

    // What the hooks printed is all there, the secrets masked.
    for (const line of ['[secret early] early sees ***', '[secret leaky] ***', '[secret leaky] token=***; url=https://user:***@example.test/x',
      '[secret leaky] on stderr: ***', '[secret leaky] ***', '[secret leaky] fixed=***', '[secret leaky] last line: ***', '[secret later] derived: ***']) {
      assert.ok(text.stdout.includes(`${line}\n`), `missing from the live output: ${line}`);
    }
    assert.equal(summaryRow(text.stdout, 'secret leaky')?.status, 'failed');
    assert.match(text.stdout, /\n {6}\| last line: \*\*\*\n/, 'the failure tail, masked');
    assert.match(report, /last line: \*\*\*/, 'the JUnit failure, masked');
    assert.ok(htmlReport.includes('"olast line: ***"'), 'the HTML report\'s lines, masked');
    assert.ok(json.stdout.includes('"line":"derived: ***"'), 'a later hook reading the output sees it masked');
    assert.ok(next.stdout.includes('[reader next-command] derived: ***\n'), 'a later command reading the output sees it masked');

    // outputs.json keeps what the hook handed on (its choice, for later hooks): readable by its owner only.
    const outputs = join(repo, '.porter-tmp', 'outputs.json');
    assert.ok((await readFile(outputs, 'utf8')).includes(`prefix-${HOST_TOKEN}`));
    assert.equal((await stat(outputs)).mode & 0o077, 0, 'outputs.json is readable by others');
    await assertNothingOfRunLeft({ api: sharedEngine, service, repo, tmp, maxImages: 1 });
  });
});
