#!/usr/bin/env bash
# The layering of src/ (docs/design-notes.md, "Layers"): reads every
# `#include "dir/file.h"` of src/ and fails on
#   - an include from a folder to a folder of a higher layer (upward);
#   - a folder missing from the order below (a new folder must be placed);
#   - any circle between folders (two folders of one layer including each
#     other, directly or through others).
# usage: check_layers.sh ROOT
set -euo pipefail
root=$1

# Bottom -> top (the same order as docs/design-notes.md, "Layers"). Several
# folders on one line would form one layer whose folders may include each
# other in any direction; the circle check below still holds them.
layers=(
    util
    http
    net
    xml
    sign
    config
    dns
    tls
    h1
    transport
    ops
    transfer
    split
    client
)

declare -A rank
for i in "${!layers[@]}"; do
    for d in ${layers[$i]}; do rank[$d]=$i; done
done

rc=0
edges=$(mktemp)
trap 'rm -f "$edges"' EXIT
for d in "$root"/src/*/; do
    d=$(basename "$d")
    [ -n "${rank[$d]:-}" ] || { echo "folder src/$d is not in the layer order"; rc=1; }
done
while IFS=: read -r file _ inc; do
    from=$(basename "$(dirname "$file")")
    to=${inc%%/*}
    [ "$from" = "$to" ] && continue
    [ -n "${rank[$to]:-}" ] || continue
    echo "$from $to" >>"$edges"
    if [ "${rank[$from]:-99}" -lt "${rank[$to]}" ]; then
        echo "upward include: ${file#"$root"/} includes \"$inc\" ($from is below $to)"
        rc=1
    fi
done < <(grep -rnoE '^#include "[a-z0-9_]+/[^"]+"' "$root/src" --include='*.c' --include='*.h' |
    sed -E 's/#include "([^"]+)"/\1/')

# Circles between folders: tsort reports a cycle on stderr.
if ! sort -u "$edges" | tsort >/dev/null 2>"$edges.err"; then
    echo "circle between folders:"; grep -v '^tsort: -:' "$edges.err" | sed 's/^tsort: /  /'
    rc=1
fi
rm -f "$edges.err"

[ $rc -eq 0 ] && echo "layers: $(sort -u "$edges" | wc -l) folder dependencies, all downward, no circle"
exit $rc
