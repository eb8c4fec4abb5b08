const USERINFO = /([A-Za-z][A-Za-z0-9+.-]*:\/\/)[^/@\s?#]*@/g;

/** Hides the userinfo of every URL in `text` (`https://user:token@host` → `https://***@host`), so no message echoes a credential. */
export function maskCredentials(text: string): string {
  return text.replace(USERINFO, '$1***@');
}
