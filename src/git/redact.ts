const USERINFO = /([A-Za-z][A-Za-z0-9+.-]*:\/\/)[^/@\s?#]*@/g;

/** Hides the userinfo of every URL in `text` (`https://user:token@host/x` → `https://***@host/x`) before it is shown anywhere. */
export function redactUrl(text: string): string {
  return text.replace(USERINFO, '$1***@');
}
