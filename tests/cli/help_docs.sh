#!/usr/bin/env bash
# `ossio --help` and docs/cli.md describe the same commands and global options.
set -euo pipefail
OSSIO=$1 DOC=$2
help=$("$OSSIO" --help)
rc=0
for cmd in $(sed -n '/^commands:/,/^$/p' <<<"$help" | awk 'NF > 1 {print $1}'); do
  grep -qE "^## .*\`ossio $cmd( |\`)" "$DOC" || { echo "docs/cli.md lacks a section for '$cmd'"; rc=1; }
  "$OSSIO" "$cmd" --help | grep -q "^usage: ossio $cmd" || { echo "'ossio $cmd --help' gives no usage"; rc=1; }
done
for opt in --config -D --endpoint --resolve --http1.1 --json --quiet --verbose --help; do
  grep -q -- "$opt" <<<"$help" || { echo "ossio --help lacks $opt"; rc=1; }
  grep -q -- "\`$opt" "$DOC" || { echo "docs/cli.md lacks $opt"; rc=1; }
done
for code in 0 1 2 3 4 5 6 130; do
  grep -qE "^\| $code \|" "$DOC" || { echo "docs/cli.md lacks exit code $code"; rc=1; }
done
exit $rc
