// Run as its own porter-like process: `node --import tsx git-fetch-child.ts <cacheDir> <repo> <ref> [<go-file>]`.
// With a go-file, prints "ready" and waits for that file to appear, so several processes start fetching at once.
// Prints the checkout as JSON on the last stdout line, or the error's name and message on stderr with exit 1.
import { existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { createPluginFetcher } from '../../src/git/simple-git-fetcher.js';

const [cacheDir, repo, ref, goFile] = process.argv.slice(2);
if (!cacheDir || !repo || !ref) throw new Error('usage: git-fetch-child.ts <cacheDir> <repo> <ref> [<go-file>]');
const fetcher = createPluginFetcher({ cacheDir, env: process.env });
if (goFile) {
  process.stdout.write('ready\n');
  while (!existsSync(goFile)) await sleep(5);
}
try {
  const checkout = await fetcher.fetch(repo, ref, new AbortController().signal);
  process.stdout.write(`${JSON.stringify(checkout)}\n`);
} catch (err) {
  process.stderr.write(`${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}\n`);
  process.exitCode = 1;
}
