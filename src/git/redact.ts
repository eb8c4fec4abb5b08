/** Hides credentials in a repo URL (`https://user:token@host/x` → `https://***@host/x`) before it is shown anywhere. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@]*@/i, '$1***@');
}
