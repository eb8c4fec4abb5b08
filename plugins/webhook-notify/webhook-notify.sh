#!/bin/sh
# porter plugin webhook-notify: POSTs {service, version, hook, status, environment, region, text[, event]} as JSON to WEBHOOK_URL.
set -eu

say() { printf 'webhook-notify: %s\n' "$*"; }
# Where the message went, as it may be printed: scheme and host only (a webhook's path often holds its token).
shown() { printf '%s' "$1" | sed -e 's#^\([A-Za-z][A-Za-z0-9+.-]*://[^/?#]*\).*#\1#' -e 's#://[^/@]*@#://***@#'; }
# A JSON string: quotes, backslashes, tabs, CRs and newlines escaped; other control characters dropped.
json_str() {
  printf '%s' "$1" | tr -d '\000-\010\013\014\016-\037' | awk 'BEGIN { RS = "\001"; ORS = "" }
    { s = $0; gsub(/\\/, "\\\\", s); gsub(/"/, "\\\"", s); gsub(/\t/, "\\t", s); gsub(/\r/, "\\r", s); gsub(/\n/, "\\n", s); out = out s }
    END { printf "\"%s\"", out }'
}
# A JSON string, or null when the variable is unset or empty.
json_or_null() { if [ -n "$1" ]; then json_str "$1"; else printf 'null'; fi; }

url="${WEBHOOK_URL:-}"
if [ -z "$url" ]; then
  say "WEBHOOK_URL is not set: add it to this hook's environment (and to its secrets, when the URL holds a token)" >&2
  exit 2
fi
case "${NOTIFY_TIMEOUT:-10}" in
  '' | *[!0-9]* | 0) say "NOTIFY_TIMEOUT=\"${NOTIFY_TIMEOUT:-}\" is not a whole number of seconds above 0" >&2; exit 2 ;;
esac

service="${PORTER_SERVICE_NAME:-}"
version="${PORTER_SERVICE_VERSION:-}"
hook="${PORTER_HOOK_NAME:-}"
# Run by `porter watch` for an event of a stack container: the event is the news, and its kind the status.
event="${PORTER_EVENT:-}"
status="${NOTIFY_STATUS:-${event:-${PORTER_HOOK_STATUS:-unknown}}}"
environment="${PORTER_ENVIRONMENT:-}"
region="${PORTER_REGION:-}"
where=""
[ -z "$environment" ] || where=" in $environment${region:+/$region}"
if [ -n "$event" ]; then
  case "$event" in
    die) happened="exited${PORTER_EVENT_EXIT_CODE:+ with code $PORTER_EVENT_EXIT_CODE}" ;;
    oom) happened="ran out of memory" ;;
    unhealthy | healthy) happened="turned $event" ;;
    start) happened="started" ;;
    stop) happened="was stopped" ;;
    restart) happened="was restarted" ;;
    *) happened="$event" ;;
  esac
  text="${NOTIFY_TEXT:-$service: ${PORTER_EVENT_CONTAINER:-a container} $happened$where (stack ${PORTER_EVENT_STACK:-unknown})}"
else
  text="${NOTIFY_TEXT:-$service $version: $hook $status$where}"
fi

body=/tmp/webhook-notify.json
{
  printf '{"service":%s,"version":%s,"hook":%s,"status":%s,' "$(json_str "$service")" "$(json_str "$version")" "$(json_str "$hook")" "$(json_str "$status")"
  printf '"environment":%s,"region":%s,"text":%s' "$(json_or_null "$environment")" "$(json_or_null "$region")" "$(json_str "$text")"
  if [ -n "$event" ]; then
    exit_code="${PORTER_EVENT_EXIT_CODE:-}"
    case "${exit_code#-}" in '' | *[!0-9]*) exit_code=null ;; esac
    printf ',"event":{"kind":%s,"container":%s,"stack":%s,"exit_code":%s,"time":%s}' "$(json_str "$event")" \
      "$(json_or_null "${PORTER_EVENT_CONTAINER:-}")" "$(json_or_null "${PORTER_EVENT_STACK:-}")" "$exit_code" "$(json_or_null "${PORTER_EVENT_TIME:-}")"
  fi
  printf '}\n'
} > "$body"

# busybox wget's own -T crashes; timeout(1) bounds the request instead. wget exits non-zero on a 4xx/5xx answer.
if timeout "${NOTIFY_TIMEOUT:-10}" wget -q -O /dev/null --header 'Content-Type: application/json' --post-file "$body" "$url" 2>/tmp/webhook-notify.err; then
  say "posted status $status of $hook to $(shown "$url")"
  exit 0
else
  code=$?
fi
if [ "$code" -eq 143 ] || [ "$code" -eq 124 ]; then
  reason="no answer within ${NOTIFY_TIMEOUT:-10}s"
else
  reason=$(sed -n 's/^wget: //p' /tmp/webhook-notify.err | tail -n 1 | sed 's#://[^/@ ]*@#://***@#g')
  [ -n "$reason" ] || reason="wget exited with $code"
fi
say "POST to $(shown "$url") failed: $reason" >&2
exit 1
