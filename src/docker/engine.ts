/** What porter needs from a Docker engine, in porter's words; dockerode's types stay behind it. */

export type ImageId = string;
export type LineSink = (line: string, stream: 'stdout' | 'stderr') => void;

export interface BuildRequest {
  /** Absolute directory sent as the build context (honouring its `.dockerignore`). */
  contextDir: string;
  /** Dockerfile path relative to `contextDir`. */
  dockerfile: string;
  /** One tag, e.g. `porter-hook-hello:3fa2c1d9e0b4`. */
  tag: string;
  labels: Record<string, string>;
  buildArgs: Record<string, string>;
}

export interface RunRequest {
  image: string;
  /** `KEY=value` strings, exactly what the container sees. */
  env: string[];
  /** `host:container[:ro]` bind mounts. */
  binds: string[];
  labels: Record<string, string>;
  name?: string;
  workingDir?: string;
  cmd?: string[];
}

export interface ImageSummary {
  id: ImageId;
  tags: string[];
  labels: Record<string, string>;
}

/** The builder rejected the Dockerfile (a RUN step failed, a bad instruction...): the hook's fault, not porter's. */
export class BuildFailure extends Error {
  /** The builder's own error text, e.g. "The command '/bin/sh -c exit 3' returned a non-zero code: 3". */
  readonly builderMessage: string;
  constructor(builderMessage: string) {
    super(builderMessage);
    this.name = 'BuildFailure';
    this.builderMessage = builderMessage;
  }
}

export interface DockerEngine {
  /** The endpoint being used, as the user would name it (DOCKER_HOST value or socket path). */
  readonly host: string;
  /** Resolves when the engine answers; otherwise throws EngineError naming `host`. */
  ping(signal?: AbortSignal): Promise<void>;
  /** Images carrying every one of these labels. */
  findImages(labels: Record<string, string>): Promise<ImageSummary[]>;
  /**
   * Builds and tags an image, streaming the builder's output line by line.
   * Throws BuildFailure when the builder reports an error, EngineError when the engine is gone,
   * and an AbortError when `signal` fires (the build request is cancelled).
   */
  buildImage(req: BuildRequest, onLine: LineSink, signal: AbortSignal): Promise<ImageId>;
  /**
   * create → attach → start → wait, output demultiplexed and split into lines (a last line without
   * a newline is still delivered). The container is removed afterwards whatever happened. When
   * `signal` fires the container is stopped (2 s grace, then killed), removed, and an AbortError thrown.
   */
  runToExit(req: RunRequest, onLine: LineSink, signal: AbortSignal): Promise<{ exitCode: number }>;
  /** Force-removes every container carrying all these labels; returns how many. */
  removeContainers(labels: Record<string, string>): Promise<number>;
  /** Removes every image carrying all these labels (when no container uses it); returns how many. */
  removeImages(labels: Record<string, string>): Promise<number>;
}
