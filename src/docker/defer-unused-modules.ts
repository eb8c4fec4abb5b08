/** Keeps the parts of dockerode porter never calls from loading with it: they cost more start-up than the rest. */
import { createRequire, Module } from 'node:module';

const require = createRequire(import.meta.url);

/**
 * Registers `path` in the CommonJS cache as a stand-in that loads the real module on first use (a property
 * read, a call, a `new`), so whoever `require`s it pays nothing until then. A module already loaded is left alone.
 */
function deferModule(path: string): void {
  if (require.cache[path]) return;
  let real: object | undefined;
  const load = (): object => {
    if (real === undefined) {
      delete require.cache[path];
      real = require(path) as object;
    }
    return real;
  };
  const standIn = new Module(path);
  standIn.filename = path;
  standIn.loaded = true;
  standIn.exports = new Proxy(function deferred() {}, {
    get: (_target, key) => Reflect.get(load(), key),
    has: (_target, key) => Reflect.has(load(), key),
    apply: (_target, self, args) => Reflect.apply(load() as (...a: unknown[]) => unknown, self, args),
    construct: (_target, args) => Reflect.construct(load() as new (...a: unknown[]) => object, args),
  });
  require.cache[path] = standIn;
}

/**
 * dockerode `require`s gRPC and its proto loader at load time for BuildKit sessions, and docker-modem requires
 * ssh2 for ssh:// hosts: about 100 ms of a porter run's start-up on a 2-core machine, for code porter never
 * calls (it builds through the classic builder API and refuses ssh:// hosts). Its util.js requires tar-fs for
 * contexts given as a directory, which porter never passes (it packs its own, build-context.ts, loading tar-fs then). Call before importing dockerode.
 */
export function deferUnusedDockerodeModules(): void {
  try {
    const dockerode = createRequire(require.resolve('dockerode'));
    const modem = createRequire(dockerode.resolve('docker-modem'));
    for (const path of [dockerode.resolve('@grpc/grpc-js'), dockerode.resolve('@grpc/proto-loader'), modem.resolve('./ssh.js'), dockerode.resolve('tar-fs')]) deferModule(path);
  } catch {
    // A different dockerode layout: load it whole, as before.
  }
}
