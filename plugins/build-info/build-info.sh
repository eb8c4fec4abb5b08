#!/bin/sh
# porter plugin build-info: writes {service, version, hook, environment, region, stack_id, time, extra} to /repo_root/$BUILD_INFO_PATH.
set -eu

say() { printf 'build-info: %s\n' "$*"; }
# A JSON string: quotes, backslashes, tabs, CRs and newlines escaped; other control characters dropped.
json_str() {
  printf '%s' "$1" | tr -d '\000-\010\013\014\016-\037' | awk 'BEGIN { RS = "\001"; ORS = "" }
    { s = $0; gsub(/\\/, "\\\\", s); gsub(/"/, "\\\"", s); gsub(/\t/, "\\t", s); gsub(/\r/, "\\r", s); gsub(/\n/, "\\n", s); out = out s }
    END { printf "\"%s\"", out }'
}
# A JSON string, or null when the variable is unset or empty.
json_or_null() { if [ -n "$1" ]; then json_str "$1"; else printf 'null'; fi; }

root=/repo_root
path="${BUILD_INFO_PATH:-build-info.json}"
case "$path" in
  /* | ../* | */../* | */.. | .. | */ | '')
    say "BUILD_INFO_PATH=\"$path\" must be a file path relative to the repo root, without .." >&2
    exit 2 ;;
esac
[ -d "$root" ] || { say "$root is not mounted; run this as a porter hook" >&2; exit 2; }

# Extra fields: every BUILD_INFO_<NAME> but BUILD_INFO_PATH, as "<name>" (lower case), sorted.
extra=""
for name in $(env | sed -n 's/^\(BUILD_INFO_[A-Za-z0-9_]*\)=.*/\1/p' | sort -u); do
  [ "$name" != BUILD_INFO_PATH ] || continue
  # `env` shows a multi-line value's later lines too: only names that are really set count.
  eval "[ -n \"\${$name+set}\" ]" || continue
  eval "value=\${$name}"
  key=$(printf '%s' "${name#BUILD_INFO_}" | tr 'A-Z' 'a-z')
  extra="$extra${extra:+,}$(json_str "$key"):$(json_str "$value")"
done

# The file and any directory made for it belong to whoever owns the repo, not to the container's root.
owner=$(stat -c %u:%g "$root")
make_dir() {
  [ -d "$1" ] && return 0
  make_dir "$(dirname "$1")"
  mkdir "$1"
  chown "$owner" "$1" 2>/dev/null || true
}
dir=$(dirname "$root/$path")
make_dir "$dir"
tmp=$(mktemp "$dir/.build-info.XXXXXX")
trap 'rm -f "$tmp"' EXIT
{
  printf '{"service":%s,"version":%s,' "$(json_str "${PORTER_SERVICE_NAME:-}")" "$(json_str "${PORTER_SERVICE_VERSION:-}")"
  printf '"hook":%s,"environment":%s,' "$(json_str "${PORTER_HOOK_NAME:-}")" "$(json_or_null "${PORTER_ENVIRONMENT:-}")"
  printf '"region":%s,"stack_id":%s,' "$(json_or_null "${PORTER_REGION:-}")" "$(json_or_null "${PORTER_STACK_ID:-}")"
  printf '"time":%s,"extra":{%s}}\n' "$(json_str "$(date -u +%Y-%m-%dT%H:%M:%SZ)")" "$extra"
} > "$tmp"
chmod 644 "$tmp"
chown "$owner" "$tmp" 2>/dev/null || true
mv -f "$tmp" "$root/$path"
say "wrote $path"
