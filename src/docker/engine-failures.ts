/** The DockerEngine port's failures that callers tell apart (the hook's fault, a port taken, an image gone). */

/** The image a container was to run from is not on the engine (removed since it was found or built). */
export class ImageNotFound extends Error {
  constructor(readonly image: string, options?: { cause?: unknown }) {
    super(`no such image: ${image}`, options);
    this.name = 'ImageNotFound';
  }
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

/** The host port porter chose is taken (by another process or container): pick another and try again. */
export class PortInUse extends Error {
  readonly hostPort: number;
  constructor(hostPort: number, message: string) {
    super(message);
    this.name = 'PortInUse';
    this.hostPort = hostPort;
  }
}

/** The engine would not start a container (bad command, missing image...): the service's fault, in the engine's words. */
export class StartFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StartFailure';
  }
}
