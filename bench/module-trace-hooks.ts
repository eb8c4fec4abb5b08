/** Module-loader hooks (registered by module-trace.ts): print every package a process resolves, one per line. */
interface ResolveResult {
  url: string;
}
type NextResolve = (specifier: string, context: unknown) => Promise<ResolveResult>;

/** Node's `resolve` hook: passes through, writing `package <name>` to stderr for anything under node_modules. */
export async function resolve(specifier: string, context: unknown, next: NextResolve): Promise<ResolveResult> {
  const result = await next(specifier, context);
  const found = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(result.url);
  if (found) process.stderr.write(`package ${found[1]}\n`);
  return result;
}
