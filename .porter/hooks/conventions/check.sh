#!/bin/sh
# Architecture rules of STYLE.md, checked against the repo mounted read-only at /repo_root.
set -u
src=/repo_root/src
fail=0

only_in() { # only_in PATTERN ALLOWED-FILE WHAT — runtime imports and calls; `import type` lines do not count
  found=$(find "$src" -name '*.ts' | while read -r f; do grep -E "$1" "$f" | grep -qvE '^import type ' && echo "$f"; done | sed "s|^/repo_root/||" | sort)
  if [ "$found" != "$2" ]; then
    echo "FAIL: $3 must appear only in $2; found in:"; echo "$found" | sed 's/^/  /'
    fail=1
  else
    echo "ok: $3 only in $2 (type-only imports aside)"
  fi
}

case "${CHECK:-}" in
  boundaries)
    only_in "from 'dockerode'|import\\('dockerode'\\)" src/docker/dockerode-engine.ts "the dockerode import"
    only_in "from 'simple-git'|import\\('simple-git'\\)" src/git/simple-git-fetcher.ts "the simple-git import"
    only_in "process\\.exit\\(" src/cli/main.ts "process.exit"
    ;;
  file-size)
    max=${MAX_LINES:-300}
    for f in $(find "$src" -name '*.ts'); do
      n=$(wc -l < "$f")
      if [ "$n" -gt "$max" ]; then echo "FAIL: ${f#/repo_root/} has $n lines (at most $max)"; fail=1; fi
    done
    [ "$fail" = 0 ] && echo "ok: every file under src/ has at most $max lines"
    ;;
  *) echo "unknown CHECK=${CHECK:-}"; exit 2 ;;
esac
exit "$fail"
