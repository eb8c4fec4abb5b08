/** `porter init`, the pure part: the answers' defaults and checks, and the text of the files it writes. */

/** What `porter init` asks (on a terminal) or assumes (elsewhere). */
export interface InitAnswers {
  serviceName: string;
  environment: string;
  /** The repo's root Dockerfile is the service's container. */
  dockerfileIsService: boolean;
  /** The port its EXPOSE line names, when it has one. */
  port?: number;
}

/** What init finds in the repo before it asks anything. */
export interface RepoFacts {
  dirName: string;
  /** package.json's `name`, when there is one. */
  packageName?: string;
  /** The root Dockerfile's text, when there is one. */
  dockerfile?: string;
}

/** Where the example hook's Dockerfile goes, from the repo root. */
export const SMOKE_DOCKERFILE = '.porter/hooks/smoke/Dockerfile';
export const DEFAULT_ENVIRONMENT = 'Stage';

const SERVICE_NAME = /^[a-z0-9][a-z0-9_-]*$/;
const NAME = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;

/** Why a service name is not one (the schema's rule), or undefined when it is. */
export function serviceNameProblem(name: string): string | undefined {
  return SERVICE_NAME.test(name) && name.length <= 63 ? undefined : 'use lowercase letters, digits, _ and -, starting with a letter or digit (at most 63)';
}

/** Why an environment name is not one, or undefined when it is. */
export function environmentProblem(name: string): string | undefined {
  return NAME.test(name) && name.length <= 128 ? undefined : 'use letters, digits, _ and -, starting with a letter or digit';
}

/** A service name made from a package or directory name: `@org/My App` → `my-app`; `service` when nothing is left. */
export function serviceNameFrom(text: string): string {
  const name = text.replace(/^@[^/]*\//, '').toLowerCase().replace(/[^a-z0-9_-]+/g, '-').replace(/^[^a-z0-9]+/, '').slice(0, 63).replace(/-+$/, '');
  return name || 'service';
}

/** The first port a Dockerfile EXPOSEs (`EXPOSE 8080/tcp` → 8080). */
export function exposedPort(dockerfile: string): number | undefined {
  const m = /^\s*EXPOSE\s+(\d{1,5})(?:\/tcp)?\b/im.exec(dockerfile);
  const port = m ? Number(m[1]) : NaN;
  return port >= 1 && port <= 65535 ? port : undefined;
}

/** What init assumes when it asks nothing: the names it can find, and the root Dockerfile as the service when there is one. */
export function defaultAnswers(facts: RepoFacts): InitAnswers {
  const port = facts.dockerfile === undefined ? undefined : exposedPort(facts.dockerfile);
  return {
    serviceName: serviceNameFrom(facts.packageName ?? facts.dirName),
    environment: DEFAULT_ENVIRONMENT,
    dockerfileIsService: facts.dockerfile !== undefined,
    ...(port !== undefined ? { port } : {}),
  };
}

function containerLines(a: InitAnswers): string[] {
  if (!a.dockerfileIsService) {
    return [
      '    containers: []                 # none yet (left out, porter would start one `primary` container from ./Dockerfile)',
      '    # containers:                  # what `porter build provision` starts; see the config reference',
      '    # - name: web',
      '    #   dockerfile: Dockerfile',
      '    #   inet_port: 8080',
    ];
  }
  const head = ['    containers:', '    - name: web', '      dockerfile: Dockerfile'];
  if (a.port === undefined) {
    return [...head, '      topology: worker             # serves HTTP? make it inet, with its inet_port and a health_check'];
  }
  return [
    ...head,
    '      topology: inet',
    `      inet_port: ${a.port}              # from the Dockerfile's EXPOSE`,
    '      health_check: {path: /health}   # provision waits until this answers 2xx; change the path to yours',
  ];
}

/** The `.porter/config` init writes: valid as it stands, with `porter build hook -name smoke` ready to run. */
export function renderInitConfig(a: InitAnswers, schemaRef: string): string {
  return [
    `# yaml-language-server: $schema=${schemaRef}`,
    '# porter config: `porter config validate` checks it; the reference lists every key.',
    `service_name: ${a.serviceName}`,
    'hooks:',
    '  # A hook list of your own: porter build hook -name smoke (add -e ' + a.environment + ' for its region).',
    '  # The phases have theirs: pre_pack, post_pack, pre_provision … post_prune, pre_rollback … post_teardown.',
    '  smoke:',
    '  - name: hello',
    `    dockerfile: ${SMOKE_DOCKERFILE}`,
    'environments:',
    `- name: ${a.environment}`,
    '  regions:',
    '  - name: local                   # a region is one Docker engine: DOCKER_HOST, else the local socket',
    ...containerLines(a),
    '',
  ].join('\n');
}

/** The example hook: porter builds its directory and runs it with the repo at /repo_root. */
export function renderSmokeDockerfile(): string {
  return [
    '# A porter hook: its directory is the build context; porter runs the image with your repo at /repo_root',
    '# and PORTER_SERVICE_NAME, PORTER_SERVICE_VERSION, PORTER_HOOK_NAME… in its environment.',
    'FROM busybox',
    'CMD ["sh", "-c", "echo \\"smoke test of $PORTER_SERVICE_NAME at $PORTER_SERVICE_VERSION\\" && test -d /repo_root"]',
    '',
  ].join('\n');
}

/** An ignore file's text with `entry` added (created when absent); undefined when it already names it. */
export function withIgnoreEntry(text: string | undefined, entry: string): string | undefined {
  const bare = entry.replace(/^\/|\/$/g, '');
  const lines = (text ?? '').split(/\r?\n/).map((l) => l.trim().replace(/^\/|\/$/g, ''));
  if (lines.includes(bare)) return undefined;
  const base = text ?? '';
  return `${base}${base && !base.endsWith('\n') ? '\n' : ''}${entry}\n`;
}
