// Run as its own porter-like process: `node --import tsx git-fetch-child.ts <cacheDir> <repo> <ref>`.
// Prints the checkout as JSON on stdout, or the error's name and message on stderr with exit 1.
import { createPluginFetcher } from '../../src/git/simple-git-fetcher.js';

const [cacheDir, repo, ref] = process.argv.slice(2);
if (!cacheDir || !repo || !ref) throw new Error('usage: git-fetch-child.ts <cacheDir> <repo> <ref>');
try {
  const fetcher = createPluginFetcher({ cacheDir, env: process.env });
  const checkout = await fetcher.fetch(repo, ref, new AbortController().signal);
  process.stdout.write(`${JSON.stringify(checkout)}\n`);
} catch (err) {
  process.stderr.write(`${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}\n`);
  process.exitCode = 1;
}
