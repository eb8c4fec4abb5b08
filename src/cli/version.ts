import { readFileSync } from 'node:fs';

/** porter's own version, read from its package.json (two levels above this file in src/ and in dist/). */
export const VERSION: string = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
