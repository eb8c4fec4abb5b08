/** A client on an environment network that asks the service's alias all the time: how the tests count failed requests. */
import { setTimeout as sleep } from 'node:timers/promises';
import { engineApi } from './engine-api.js';

/** A page whose /health answers unless the page (`page.txt` of the repo) says "broken"; writes only to /tmp. */
export const PAGE_DOCKERFILE = [
  'FROM busybox:latest',
  'COPY page.txt /page.txt',
  'CMD ["sh", "-c", "mkdir -p /tmp/www && cp /page.txt /tmp/www/index.html && (grep -q broken /page.txt || echo ok > /tmp/www/health) && exec httpd -f -p 8080 -h /tmp/www"]',
  '',
].join('\n');

/**
 * Starts a busybox container on `network` (named `<service>-client`, with `labels`) that asks `http://<service>:8080/`
 * every 100 ms, each request allowed 2 s; `stop` removes it and returns how many answered and how many failed.
 */
export async function startAliasClient(service: string, network: string, labels: Record<string, string>): Promise<{ stop(): Promise<{ ok: number; failed: number }> }> {
  const client = await engineApi('POST', `/containers/create?name=${service}-client`, 30_000, {
    Image: 'busybox:latest', Labels: labels, HostConfig: { NetworkMode: network },
    Cmd: ['sh', '-c', `while true; do if timeout 2 wget -q -O- http://${service}:8080/ >/dev/null 2>&1; then echo ok; else echo FAILED; fi; sleep 0.1; done`],
  });
  const id = (client.body as { Id: string }).Id;
  const started = await engineApi('POST', `/containers/${id}/start`);
  if (started.status !== 204) throw new Error(`the client did not start: ${started.status} ${JSON.stringify(started.body)}`);
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
