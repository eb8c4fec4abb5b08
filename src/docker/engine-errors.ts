/** Turns socket-level failures talking to the engine into porter's one-paragraph EngineError. */
import { EngineError } from '../errors.js';

interface SystemErrorLike {
  code?: unknown;
  syscall?: unknown;
  message?: unknown;
  cause?: unknown;
}

// Codes that mean the connection itself failed or broke, whatever request was on it.
const connectionCodes = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'EHOSTDOWN',
  'ENETUNREACH', 'ENETDOWN', 'ENOTFOUND', 'EAI_AGAIN', 'ENOTSOCK', 'EPROTO', 'ERR_SOCKET_CLOSED',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'CERT_HAS_EXPIRED',
]);
// Codes that mean "no engine there" only when they come from connect(), not from reading a context file.
const connectOnlyCodes = new Set(['ENOENT', 'EACCES', 'EPERM']);

function fields(err: unknown): SystemErrorLike | undefined {
  return typeof err === 'object' && err !== null ? (err as SystemErrorLike) : undefined;
}

function ownConnectionError(err: unknown): boolean {
  const e = fields(err);
  if (!e || typeof e.code !== 'string') return false;
  if (connectionCodes.has(e.code) || e.code.startsWith('ERR_TLS_')) return true;
  return connectOnlyCodes.has(e.code) && e.syscall === 'connect';
}

/** True when `err` (or its cause) says the engine's socket could not be opened or broke mid-request. */
export function isEngineConnectionError(err: unknown): boolean {
  return ownConnectionError(err) || ownConnectionError(fields(err)?.cause);
}

/** The short reason shown in parentheses: `connect ENOENT`, `socket hang up`, `connection closed`. */
export function connectionDetail(err: unknown): string {
  const e = fields(err);
  const message = typeof e?.message === 'string' ? e.message : String(err);
  if (message === 'socket hang up') return message;
  if (message === 'aborted') return 'connection closed mid-response';
  if (typeof e?.code === 'string') return typeof e.syscall === 'string' ? `${e.syscall} ${e.code}` : e.code;
  return message;
}

/** The engine never answered: name the host tried and what to do about it. */
export function unreachableError(host: string, err: unknown, detail = connectionDetail(err)): EngineError {
  const denied = fields(err)?.code === 'EACCES' || fields(err)?.code === 'EPERM';
  const advice = denied
    ? 'Run porter as a user allowed to use that socket (for example a member of the docker group), or point DOCKER_HOST at an engine that answers.'
    : 'Start dockerd, or point DOCKER_HOST at an engine that answers.';
  return new EngineError(`Cannot reach the Docker engine at ${host} (${detail}). ${advice}`, { cause: err });
}

/** The engine answered earlier and then stopped mid-operation: say so instead of blaming the hook. */
export function wentAwayError(host: string, during: string, err: unknown): EngineError {
  return new EngineError(
    `The Docker engine at ${host} went away while ${during} (${connectionDetail(err)}). ` +
      'The hook did not fail: the engine stopped answering. Check that dockerd is running, then run porter again.',
    { cause: err },
  );
}

/** An EngineError for a connection failure (unreachable before any answer, gone after one); undefined otherwise. */
export function toEngineError(err: unknown, host: string, wentAwayDuring?: string): EngineError | undefined {
  if (err instanceof EngineError) return err;
  if (!isEngineConnectionError(err)) return undefined;
  return wentAwayDuring === undefined ? unreachableError(host, err) : wentAwayError(host, wentAwayDuring, err);
}

/**
 * The adapter's way to run a request: `call(work, during?)` gets the lazily connected client and turns a
 * connection failure into EngineError ("cannot reach", or "went away while <during>"); every other error,
 * porter's own included, passes through unchanged.
 */
export function engineCalls<C>(client: () => Promise<C>, host: string): <T>(work: (c: C) => Promise<T>, during?: string) => Promise<T> {
  return async (work, during) => {
    const c = await client();
    try {
      return await work(c);
    } catch (err) {
      throw toEngineError(err, host, during) ?? err;
    }
  };
}
