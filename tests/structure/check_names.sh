#!/usr/bin/env bash
# The naming scheme (docs/design-notes.md, "Names"): public identifiers are
# `ossio_`/`OSSIO_` and declared in include/ossio.h; everything internal to
# the library is `ossio__`/`OSSIO__` (functions, types, variables, macros,
# enum constants). Fails on
#   - an identifier in src/ spelled like a public one that include/ossio.h
#     does not declare (an internal name without the double underscore);
#   - a global symbol of the library archive that is neither public nor
#     `ossio__` (an internal function without any prefix).
# usage: check_names.sh ROOT [ARCHIVE]
set -euo pipefail
root=$1
archive=${2:-}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

ids='\b(ossio|OSSIO)_[A-Za-z0-9_]+'
grep -ohE "$ids" "$root/include/ossio.h" | sort -u >"$tmp/public"
rc=0

# Single-underscore names in the library's sources that the header lacks.
grep -rnoE "$ids" "$root/src" --include='*.c' --include='*.h' |
    grep -vE ':(ossio|OSSIO)__' | sort -t: -k3,3 >"$tmp/uses" || true
cut -d: -f3 "$tmp/uses" | sort -u | comm -23 - "$tmp/public" >"$tmp/bad"
if [ -s "$tmp/bad" ]; then
    grep -wFf "$tmp/bad" "$tmp/uses" |
        awk -F: '{ print "internal name without ossio__/OSSIO__: " $3 " (" $1 ":" $2 ")" }'
    rc=1
fi

# Global symbols the archive defines.
if [ -n "$archive" ]; then
    nm -g --defined-only "$archive" | awk 'NF == 3 { print $3 }' | sort -u >"$tmp/syms"
    while read -r sym; do
        case $sym in
        ossio__* | __odr_asan* | __asan* | __ubsan*) ;;
        ossio_*)
            grep -qxF "$sym" "$tmp/public" ||
                { echo "global symbol not in include/ossio.h: $sym"; rc=1; } ;;
        *) echo "global symbol without a prefix: $sym"; rc=1 ;;
        esac
    done <"$tmp/syms"
fi

[ $rc -eq 0 ] && echo "names: $(wc -l <"$tmp/public") public identifiers, the rest ossio__"
exit $rc
