import type { PorterConfig } from './types.js';

/** The one warning naming every AWS-only key of the original porter the config holds, each with file:line; undefined when it has none. */
export function ignoredKeysWarning(config: PorterConfig): string | undefined {
  const keys = config.ignoredKeys;
  if (keys.length === 0) return undefined;
  const listed = keys.map((k) => `${config.file}:${k.line} ${k.path} (${k.why})`).join('; ');
  const one = keys.length === 1;
  return `${keys.length} key${one ? '' : 's'} of the original porter ${one ? 'is' : 'are'} ignored on Docker, ${one ? 'its value' : 'their values'} neither expanded nor checked: ${listed}. ` +
    'Remove them when you no longer deploy with the original (`porter config validate --strict` refuses them).';
}

/** Why a list porter never runs by itself is in the config: `ec2_bootstrap` ran on the original's EC2 hosts. */
export function unrunListsNote(config: PorterConfig): string | undefined {
  if (!config.hooks.ec2_bootstrap) return undefined;
  return 'hooks.ec2_bootstrap is not run by any phase on Docker (the original ran it on each EC2 host it started); `porter build hook -name ec2_bootstrap` runs it like any list.';
}
