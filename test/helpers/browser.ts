/** Debian's chromium (scripts/setup-chromium), headless, through playwright-core: no browser is ever downloaded. */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { TestContext } from 'node:test';
import { chromium, type BrowserContext } from 'playwright-core';
import { tempDir } from './temp-dirs.js';

export const CHROMIUM = '/usr/bin/chromium';

/** Where tests keep what a person may want to look at afterwards (screenshots); gitignored. */
export const artifactsDir = fileURLToPath(new URL('../artifacts/', import.meta.url));

/**
 * A fresh headless chromium (its own profile in a temp dir, removed with the test's temp dirs), or undefined after a
 * loud skip when it is missing; under CI a missing browser fails the test. Flags: as root it needs --no-sandbox, and
 * with no network it must not try to reach Google's services.
 */
export async function openChromium(t: TestContext): Promise<BrowserContext | undefined> {
  if (!existsSync(CHROMIUM)) {
    const message = `"${t.name}" needs Debian's chromium at ${CHROMIUM}: run scripts/setup-chromium (apt-get install chromium).`;
    if (process.env.CI) assert.fail(`CI is set, so this is a failure, not a skip. ${message}`);
    process.stderr.write(`\n*** SKIPPED ${message}\n\n`);
    t.skip(message);
    return undefined;
  }
  await mkdir(artifactsDir, { recursive: true });
  return chromium.launchPersistentContext(await tempDir('porter-chromium-test-'), {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1300, height: 1000 },
    args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'],
  });
}
