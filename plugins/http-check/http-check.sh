#!/bin/sh
# porter plugin http-check: polls a URL until it answers 2xx, or fails with the last error after CHECK_TIMEOUT seconds.
set -eu

say() { printf 'http-check: %s\n' "$*"; }
# A URL as it may be printed: the userinfo of http://user:token@host hidden.
shown() { printf '%s' "$1" | sed 's#://[^/@]*@#://***@#'; }
# `seconds NAME VALUE DEFAULT`: a positive whole number of seconds, or the default when VALUE is empty; anything else stops the check.
seconds() {
  n=$(printf '%s' "$2" | sed 's/^0*//')
  case "$2" in
    '') printf '%s' "$3" ;;
    *[!0-9]*) say "$1=\"$2\" is not a whole number of seconds" >&2; exit 2 ;;
    *) [ -n "$n" ] || { say "$1 must be at least 1 second" >&2; exit 2; }; printf '%s' "$n" ;;
  esac
}

url="${CHECK_URL:-}"
if [ -z "$url" ]; then
  if [ -z "${PORTER_STACK_URL:-}" ]; then
    say "no URL to check: set CHECK_URL, or run this hook where porter sets PORTER_STACK_URL (after provision: post_provision, the promote hooks, or build hook -e ENV)"
    exit 2
  fi
  url="${PORTER_STACK_URL%/}${CHECK_PATH:-/}"
fi
total=$(seconds CHECK_TIMEOUT "${CHECK_TIMEOUT:-}" 60)
interval=$(seconds CHECK_INTERVAL "${CHECK_INTERVAL:-}" 2)
per_request=$(seconds CHECK_REQUEST_TIMEOUT "${CHECK_REQUEST_TIMEOUT:-}" 5)

say "waiting up to ${total}s for $(shown "$url") to answer 2xx"
start=$(date +%s)
deadline=$((start + total))
attempts=0
last="no attempt was made"
while :; do
  now=$(date +%s)
  left=$((deadline - now))
  [ "$left" -gt 0 ] || break
  wait_for=$per_request
  [ "$wait_for" -le "$left" ] || wait_for=$left
  attempts=$((attempts + 1))
  # busybox wget's own -T crashes; timeout(1) bounds each request instead. wget exits non-zero on 4xx/5xx.
  if timeout "$wait_for" wget -q -O /dev/null "$url" 2>/tmp/http-check.err; then
    say "$(shown "$url") answered 2xx after $attempts attempt(s) in $(( $(date +%s) - start ))s"
    exit 0
  else
    code=$?
  fi
  # timeout(1) ends wget with TERM (busybox: 143; GNU: 124).
  if [ "$code" -eq 143 ] || [ "$code" -eq 124 ]; then
    # An attempt cut short by the deadline says less than the answer an earlier attempt got: keep that one.
    if [ "$wait_for" -ge "$per_request" ] || [ "$attempts" -eq 1 ]; then last="no answer within ${wait_for}s"; fi
  else
    last=$(sed -n 's/^wget: //p' /tmp/http-check.err | tail -n 1)
    [ -n "$last" ] || last="wget exited with $code"
  fi
  now=$(date +%s)
  [ $((now + interval)) -lt "$deadline" ] || break
  sleep "$interval"
done
say "$(shown "$url") did not answer 2xx within ${total}s ($attempts attempt(s)); last error: $last"
exit 1
