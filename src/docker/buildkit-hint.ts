/**
 * porter builds through the Engine API's classic builder (BuildKit needs a gRPC session the API client would
 * have to host). A Dockerfile written for BuildKit fails there with words that do not say so, such as
 * "unknown instruction: ECHO" for a heredoc: this adds the reason to the builder's message.
 */
import { readFile } from 'node:fs/promises';
import { BuildFailure } from './engine.js';

const HINT = "porter builds with the Docker engine's classic builder, which does not know BuildKit-only syntax (RUN --mount, heredocs, a # syntax= frontend); write this Dockerfile without it";

/** True when the builder's message or the Dockerfile points at BuildKit-only syntax. */
export function looksLikeBuildKit(message: string, dockerfile: string): boolean {
  if (/requires BuildKit/i.test(message)) return true;
  if (!/parse error|unknown instruction|unknown flag/i.test(message)) return false;
  const syntaxDirective = /^(#[^\n]*\n)*#\s*syntax\s*=/i.test(dockerfile);
  // `RUN <<EOF`, `COPY <<-"END" /etc/motd` (the heredoc first), or `RUN python3 <<EOF` (one ending the line).
  const heredoc = /^\s*(RUN|COPY|ADD)(\s+--\S+)*\s+<<-?["']?\w+["']?(\s|$)/im.test(dockerfile)
    || /^\s*RUN\b[^\n]*\s<<-?["']?\w+["']?\s*$/im.test(dockerfile);
  const mount = /^\s*RUN\s+--(mount|network|security)=/im.test(dockerfile);
  return syntaxDirective || heredoc || mount;
}

/** The failure with the reason added when the Dockerfile at `path` looks written for BuildKit; else the same failure. */
export async function withBuildKitHint(failure: BuildFailure, path: string): Promise<BuildFailure> {
  const dockerfile = await readFile(path, 'utf8').catch(() => '');
  if (!looksLikeBuildKit(failure.builderMessage, dockerfile)) return failure;
  return new BuildFailure(`${failure.builderMessage.trim().replace(/\.$/, '')} (${HINT})`);
}
