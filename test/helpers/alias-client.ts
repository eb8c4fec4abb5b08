/** What clients on an environment network see of the alias `<service>`: one answer, or a loop that counts failures. */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DockerEngine } from '../../src/docker/engine.js';
import { engineApi } from './engine-api.js';

/** A page whose /health answers unless the page (`page.txt` of the repo) says "broken"; writes only to /tmp. */
export const PAGE_DOCKERFILE = [
  'FROM busybox:latest',
  'COPY page.txt /page.txt',
  'CMD ["sh", "-c", "mkdir -p /tmp/www && cp /page.txt /tmp/www/index.html && (grep -q broken /page.txt || echo ok > /tmp/www/health) && exec httpd -f -p 8080 -h /tmp/www"]',
  '',
].join('\n');

/** What `http://<service>:8080/` answers to a container on `network`, right now. */
export async function answerOnNetwork(engine: DockerEngine, service: string, network: string, labels: Record<string, string>): Promise<string> {
  const out: string[] = [];
  await engine.runToExit({ image: 'busybox:latest', env: [], binds: [], labels, network, cmd: ['timeout', '5', 'wget', '-q', '-O-', `http://${service}:8080/`] }, (l) => out.push(l), new AbortController().signal);
  return out.join('\n');
}

/**
 * A client on `network` (a busybox container named `<service>-client`, with `labels`) asking `http://<service>:8080/`
 * every 100 ms, each request allowed 5 s (a request that races an alias switch waits for TCP's SYN retry, sent
 * 1 s and then 3 s after the first; on a busy engine the reconnect can take more than the first second); started
 * and given a second to warm up. `stop()` removes it and returns how
 * many requests were answered and how many failed.
 */
export async function startClientLoop(service: string, network: string, labels: Record<string, string>): Promise<{ stop(): Promise<{ ok: number; failed: number }> }> {
  const client = await engineApi('POST', `/containers/create?name=${service}-client`, 30_000, {
    Image: 'busybox:latest', Labels: labels, HostConfig: { NetworkMode: network },
    Cmd: ['sh', '-c', `while true; do if timeout 5 wget -q -O- http://${service}:8080/ >/dev/null 2>&1; then echo ok; else echo FAILED; fi; sleep 0.1; done`],
  });
  const id = (client.body as { Id: string }).Id;
  assert.equal((await engineApi('POST', `/containers/${id}/start`)).status, 204, 'the client container did not start');
  await sleep(1000);
  return {
    async stop() {
      const logs = await engineApi('GET', `/containers/${id}/logs?stdout=1&stderr=1`);
      await engineApi('DELETE', `/containers/${id}?force=1`);
      const text = String(logs.body);
      return { ok: (text.match(/ok/g) ?? []).length, failed: (text.match(/FAILED/g) ?? []).length };
    },
  };
}
