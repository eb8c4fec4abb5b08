/**
 * Faults: a hook writing 200 MB to stdout (read by a reader that stalls for a while), one ending without a newline,
 * one writing binary bytes. Every line arrives, nothing is lost at the end, and porter's own peak memory (VmHWM of
 * the porter process, polled by the test) stays under 200 MB.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { describeDocker, removeTempDirs, sweep, uniqueRunId } from '../helpers/docker.js';
import { assertExit, assertNothingOfRunLeft, jsonEvents, porterTmpDir, sharedEngine, startWatchedPorter } from '../helpers/fault-checks.js';
import { hookRepo, scriptHook } from '../helpers/hook-repo.js';
import { startPorter, summaryRow } from '../helpers/porter-cli.js';

const service = uniqueRunId();
const LINE = '0'.repeat(999);
const FLOOD_BYTES = 200_000_000;
const FLOOD_LINES = FLOOD_BYTES / (LINE.length + 1);
const MAX_RSS_KB = 200 * 1024;
const PIECE = 64 * 1024;

/** Seeded bytes (mulberry32): every byte value, `\r\n`, invalid UTF-8, and a 150 000-byte stretch with no newline; no final newline. */
function binaryBytes(seed: number): Buffer {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
  const random = Buffer.alloc(200_000, 0).map(() => next() & 0xff);
  const long = Buffer.alloc(150_000, 0).map(() => { const b = next() & 0xff; return b === 0x0a ? 0x20 : b; });
  const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
  return Buffer.concat([all, Buffer.from('\r\nok\r\n\u00e9\ud83d\ude00\n\xff\xfe\n'), random, Buffer.from('\n'), long, Buffer.from('\nend without newline')]);
}

/** What each line of `bytes` must arrive as: split on `\n`, decoded as UTF-8 (U+FFFD for invalid bytes), a final `\r` dropped. */
function expectedLines(bytes: Buffer): string[] {
  const lines: string[] = [];
  let start = 0;
  for (let nl = bytes.indexOf(0x0a); nl !== -1; nl = bytes.indexOf(0x0a, start)) {
    lines.push(bytes.subarray(start, nl).toString('utf8'));
    start = nl + 1;
  }
  if (start < bytes.length) lines.push(bytes.subarray(start).toString('utf8'));
  return lines.map((l) => l.replace(/\r$/, ''));
}

/** Matches what porter delivered against the expected lines; a line longer than 64 Ki arrives in pieces of at most that. */
function assertSameLines(got: string[], expected: string[], what: string): void {
  let i = 0;
  for (const [n, line] of expected.entries()) {
    if (line.length <= PIECE) {
      assert.equal(got[i], line, `${what}: line ${n + 1} differs`);
      i += 1;
      continue;
    }
    let joined = '';
    while (joined.length < line.length && i < got.length) {
      const piece = got[i] ?? '';
      assert.ok(piece.length > 0 && piece.length <= PIECE, `${what}: a piece of line ${n + 1} is ${piece.length} long`);
      joined += piece;
      i += 1;
    }
    assert.equal(joined, line, `${what}: the pieces of line ${n + 1} do not make the line`);
  }
  assert.equal(i, got.length, `${what}: ${got.length - i} lines more than written`);
}

after(() => removeTempDirs());

await describeDocker('faults: output volume and odd output', () => {
  let repo: string;
  let binary: Buffer;
  let binaryErr: Buffer;

  before(async () => {
    binary = binaryBytes(7);
    binaryErr = binaryBytes(11).subarray(0, 5_000);
    repo = await hookRepo(`service_name: ${service}
hooks:
  flood:
${scriptHook('flood.sh', { name: 'flood' })}
  edges:
${scriptHook('no-newline.sh', { name: 'no-newline' })}
${scriptHook('binary.sh', { name: 'binary' })}
`, {
      'scripts/flood.sh': `yes "$(printf '%0999d' 0)" | head -c ${FLOOD_BYTES}\n`,
      'scripts/no-newline.sh': "printf 'first\\nlast line without newline'\nprintf 'stderr without newline' >&2\n",
      'scripts/binary.sh': 'cat /repo_root/binary.bin\ncat /repo_root/binary-err.bin >&2\n',
      'binary.bin': { content: binary },
      'binary-err.bin': { content: binaryErr },
    });
  }, { timeout: 30_000 });

  after(() => sweep({ 'porter.service': service }), { timeout: 60_000 });

  test('200 MB on stdout, read by a reader that stalls for 3 s: every line arrives whole and porter stays under 200 MB', { timeout: 180_000 }, async () => {
    const tmp = await porterTmpDir();
    const { child, stderr, closed } = startWatchedPorter(repo, ['build', 'hook', '-name', 'flood'], { TMPDIR: tmp });
    // Count the hook's lines as they stream, keeping none: a partial line waits for its end.
    let lines = 0;
    let wrong = 0;
    let received = 0;
    let stalled = false;
    let rest = '';
    let tail = '';
    const prefix = '[flood flood] ';
    child.stdout.on('data', (chunk: Buffer) => {
      received += chunk.length;
      const text = rest + chunk.toString('latin1');
      tail = (tail + chunk.toString('latin1')).slice(-2_000);
      const parts = text.split('\n');
      rest = parts.pop() ?? '';
      for (const line of parts) {
        if (!line.startsWith(prefix)) continue;
        lines += 1;
        if (line.length !== prefix.length + LINE.length || line.slice(prefix.length) !== LINE) wrong += 1;
      }
      if (!stalled && received > 50_000_000) {
        // A slow reader: porter must hold the hook back, not buffer what it cannot write.
        stalled = true;
        child.stdout.pause();
        setTimeout(() => child.stdout.resume(), 3_000);
      }
    });
    const { code, peakKb } = await closed;
    assertExit({ code, signal: null, stdout: tail, stderr: stderr() }, 0);
    assert.equal(wrong, 0, 'lines that arrived cut or changed');
    assert.equal(lines, FLOOD_LINES, 'every line of the hook arrived');
    assert.ok(stalled, 'the reader stalled once');
    assert.ok(peakKb > 0, 'VmHWM was read');
    assert.ok(peakKb < MAX_RSS_KB, `porter's peak RSS was ${Math.round(peakKb / 1024)} MB`);
    assert.match(tail, /passed\s+flood flood/);
    await assertNothingOfRunLeft({ api: sharedEngine, service, repo, tmp, maxImages: 1 });
  });

  test('no final newline and binary bytes: every line and the last one arrive, as UTF-8 (U+FFFD for invalid bytes), on both streams', { timeout: 60_000 }, async () => {
    const tmp = await porterTmpDir();
    const p = startPorter(repo, ['--log-format', 'json', 'build', 'hook', '-name', 'edges'], { TMPDIR: tmp });
    const r = await p.exited;
    assertExit(r, 0);
    const events = jsonEvents(r.stdout);
    const logOf = (hook: string, stream: string): string[] =>
      events.filter((e) => e.type === 'hook-log' && e.hook === hook && e.stream === stream).map((e) => String(e.line));
    assert.deepEqual(logOf('no-newline', 'stdout'), ['first', 'last line without newline']);
    assert.deepEqual(logOf('no-newline', 'stderr'), ['stderr without newline']);
    assertSameLines(logOf('binary', 'stdout'), expectedLines(binary), 'binary stdout');
    assertSameLines(logOf('binary', 'stderr'), expectedLines(binaryErr), 'binary stderr');
    for (const hook of ['no-newline', 'binary']) {
      // Nothing arrives after the hook's end: its last line came before hook-end.
      const end = events.findIndex((e) => e.type === 'hook-end' && e.hook === hook);
      const lastLog = events.map((e) => e.type === 'hook-log' && e.hook === hook).lastIndexOf(true);
      assert.ok(end > lastLog && lastLog >= 0, `${hook}: hook-end after its last line`);
      assert.equal(events[end]?.status, 'passed');
    }
    assert.equal(summaryRow(r.stdout, 'edges binary'), undefined, 'JSON mode prints no text summary');
    await assertNothingOfRunLeft({ api: sharedEngine, service, repo, tmp, maxImages: 1 });
  });
});
