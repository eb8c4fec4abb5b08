/** Porter processes a suite starts in the background, stopped after each test whatever happened to it. */
import { afterEach } from 'node:test';
import type { PorterProcess } from './porter-cli.js';

/**
 * Call in a suite's body; pass every background porter through the returned function. After each test, one still
 * running (its test failed before it ended) gets SIGTERM, as a user would send, so it removes its containers; then
 * SIGKILL after `graceMs`. A leftover porter would keep the test file from ending and its containers on the engine.
 */
export function stopPortersAfterEach(graceMs = 20_000): (p: PorterProcess) => PorterProcess {
  const started = new Set<PorterProcess>();
  afterEach(async () => {
    for (const p of started) {
      if (p.child.exitCode !== null || p.child.signalCode !== null) continue;
      p.child.kill('SIGTERM');
      const timer = setTimeout(() => p.child.kill('SIGKILL'), graceMs);
      await p.exited;
      clearTimeout(timer);
    }
    started.clear();
  }, { timeout: graceMs + 10_000 });
  return (p) => {
    started.add(p);
    return p;
  };
}
