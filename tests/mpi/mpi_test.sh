#!/usr/bin/env bash
# ossio-mpi under `mpirun -n 4` against the local endpoint, one case per
# ctest: mpi_test.sh <mpirun> <ossio-mpi> <ossio> bench|count. Asserts what
# the ranks add up to (operation counts, bytes, records) against what was
# asked, against `ossio count` and against `wc -l` of a plain download;
# never a figure of speed or time.
set -uo pipefail

MPIRUN=$1 OSSIO_MPI=$2 OSSIO=$3 CASE=$4
set -a
# shellcheck disable=SC1091
. "$OSSIO_ENDPOINT_STATE/endpoint.env"
set +a

unset OSS_ENDPOINT OSS_REGION OSS_SESSION_TOKEN FLINK_CONF_DIR HADOOP_CONF_DIR
unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_ENDPOINT_URL
export OSS_ACCESS_KEY_ID=$OSSIO_EP_ACCESS_KEY_ID
export OSS_ACCESS_KEY_SECRET=$OSSIO_EP_ACCESS_KEY_SECRET

# Sanitized build: Open MPI's own leaks are suppressed by module (lsan.supp
# says why and how); the slow unwinder and loaded components let the
# suppressions see Open MPI's frames. Leaks of ossio's code still fail.
if [ -n "${ASAN_OPTIONS:-}" ]; then
  export ASAN_OPTIONS="$ASAN_OPTIONS:fast_unwind_on_malloc=0"
  export LSAN_OPTIONS="suppressions=$OSSIO_LSAN_SUPPRESSIONS:print_suppressions=0"
  export OMPI_MCA_mca_base_component_disable_dlclose=1 PMIX_MCA_mca_base_component_disable_dlclose=1
fi
# Containers often forbid the cross-memory attach of Open MPI's shared-memory
# transport; copying through the shared segment works everywhere.
export OMPI_MCA_btl_vader_single_copy_mechanism=none

B=oss://$OSSIO_EP_BUCKET
PREFIX="mpi-$CASE-$$-$RANDOM"
TMP=$(mktemp -d)
EP=(--endpoint "https://localhost:$OSSIO_EP_PORT_H2_TLS" -D fs.oss.path.style.access=true
    -D "fs.oss.connection.ca.file=$OSSIO_EP_CA_FILE")
EP_H1=(--endpoint "https://$OSSIO_EP_ENDPOINT_HOST:$OSSIO_EP_PORT_H1_TLS"
       --resolve "$OSSIO_EP_BUCKET.$OSSIO_EP_ENDPOINT_HOST:$OSSIO_EP_PORT_H1_TLS:127.0.0.1"
       -D "fs.oss.connection.ca.file=$OSSIO_EP_CA_FILE" --http1.1)
FAILED=0

cleanup() {
  "$OSSIO" "${EP[@]}" -q rm -r "$B/$PREFIX" >/dev/null 2>&1
  rm -rf "$TMP"
}
trap cleanup EXIT

fail() { echo "FAIL: $*" >&2; FAILED=1; }
check() { local what=$1; shift; if "$@"; then echo "ok: $what"; else fail "$what"; fi; }
jqe() { jq -e "$@" >/dev/null; }

# Runs ossio-mpi on N ranks (default 4); stdout in $TMP/out, stderr in
# $TMP/err, exit code in $RC. A hang is a failure, not a stuck ctest.
mpi() {
  local n=4
  if [ "$1" = -n ]; then n=$2; shift 2; fi
  timeout 300 "$MPIRUN" --oversubscribe --allow-run-as-root -n "$n" "$OSSIO_MPI" "$@" \
    >"$TMP/out" 2>"$TMP/err"
  RC=$?
}

# ossio-mpi's own error lines (mpirun adds its banners).
own_lines() { grep -c '^ossio-mpi\[' "$TMP/err"; }

bench_ok() { # what, then jq checks on $TMP/out
  local what=$1
  shift
  check "bench $what exits 0: $(head -c 300 "$TMP/err")" [ "$RC" = 0 ]
  check "bench $what: one JSON document of 4 ranks, no errors" jqe -s 'length == 1 and .[0].command == "bench" and .[0].ranks == 4 and .[0].errors == 0' "$TMP/out"
  check "bench $what: merged percentiles, ordered" jqe 'all(.kinds[]; .latency_ms as $l | ($l | has("p50") and has("p90") and has("p99") and has("p99.9") and has("mean")) and $l.p50 > 0 and $l.p50 <= $l.p90 and $l.p90 <= $l.p99 and $l.p99 <= $l["p99.9"] and $l["p99.9"] <= $l.max)' "$TMP/out"
  local q
  for q in "$@"; do check "bench $what: $q" jqe "$q" "$TMP/out"; done
}

case_bench() {
  local P=(--prefix "$PREFIX/b")
  mpi "${EP[@]}" --json bench put --count 10 --size 250k --part-size 100k -c 4 "${P[@]}" "$B"
  bench_ok "put (multipart)" '.ops == 10 and .kinds.put.ops == 10 and .bytes == 10 * 256000 and .count == 10' \
    '.protocol == "h2" and .connections_opened >= 4 and (.timeline | map(.[2]) | add) == 10'
  mpi "${EP_H1[@]}" --json bench get --count 13 --size 300k --part-size 100k -c 3 --objects 5 "${P[@]}" "$B"
  bench_ok "get (objects the ranks put, http/1.1)" '.kinds.get.ops == 13 and .bytes == 13 * 307200 and (.kinds | keys) == ["get"] and .protocol == "http/1.1"'
  mpi "${EP[@]}" --json bench small --count 6 --size 3k -c 2 "${P[@]}" "$B"
  bench_ok "small" '.ops == 18 and .kinds.put.ops == 6 and .kinds.get.ops == 6 and .kinds.delete.ops == 6'
  # Every rank's share of the 12 objects is in place before any rank lists.
  mpi "${EP[@]}" --json bench list --count 3 --objects 12 --size 1 "${P[@]}" "$B"
  bench_ok "list" '.kinds.list.ops == 3 and .list_entries == 36'
  mpi "${EP[@]}" --json bench mixed --count 10 --ratio 3:2 --size 20k -c 4 "${P[@]}" "$B"
  bench_ok "mixed" '.ops == 10 and .kinds.get.ops == 6 and .kinds.put.ops == 4 and .bytes == 10 * 20480'
  # A duration: every slot of every rank completes at least one operation.
  mpi "${EP[@]}" --json bench put --duration 0.5 --size 1k -c 2 "${P[@]}" "$B"
  bench_ok "put --duration" '.ops >= 8 and .count == 0 and .kinds.put.bytes == .ops * 1024'
  run_ossio ls -r "$B/$PREFIX/b/"; check "the bench removed its objects" [ ! -s "$TMP/out" ]
  # An existing object: whole GETs, then ranged GETs walking it.
  head -c 1000000 /dev/urandom >"$TMP/obj"
  run_ossio cp "$TMP/obj" "$B/$PREFIX/obj"
  # An existing object, ranged GETs walking it; 3 operations on 4 ranks:
  # the idle rank still takes part.
  mpi "${EP[@]}" --json bench get --count 3 --size 100k -c 3 "$B/$PREFIX/obj"
  bench_ok "get of an object, ranged, 3 on 4 ranks" '.kinds.get.ops == 3 and .bytes == 3 * 102400 and .object != null'
  # A key set (every object under a prefix, issue 15.5): the ranks' shares
  # (keys j x 4 + rank) are apart and cover it: one pass reads each key once.
  local i
  for i in 0 1 2 3 4; do
    head -c $((1000 + 100 * i)) /dev/urandom >"$TMP/k$i"
    run_ossio cp "$TMP/k$i" "$B/$PREFIX/set/k$i"
  done
  mpi "${EP[@]}" --json bench get -c 2 "$B/$PREFIX/set/"
  bench_ok "get of a prefix, 5 keys on 4 ranks" '.ops == 5 and .keys == 5 and .key_set == 5 and .bytes == 6000'
  printf 'set/k0\nset/k1\nset/k2\n' >"$TMP/keys"
  mpi "${EP[@]}" bench get --keys-from "$TMP/keys" "$B/$PREFIX/"
  check "3 keys on 4 ranks: exit 2 (got $RC)" [ "$RC" = 2 ]
  check "3 keys on 4 ranks: one line, from rank 0" [ "$(own_lines)" = 1 ]
  check "3 keys on 4 ranks: says why" grep -q "3 keys for 4 ranks" "$TMP/err"
  # Failures add up over the ranks; rank 0 reports them once (text report).
  mpi "${EP[@]}" bench get --count 6 "$B/$PREFIX/missing"
  check "a missing object: exit 1 (got $RC)" [ "$RC" = 1 ]
  check "text report: the ranks line" grep -qE '^ranks +4 ' "$TMP/out"
  check "text report: get 6, 6 errors" grep -qE '^get +6 .* 6 +0$' "$TMP/out"
  check "one summary line of all ranks' errors" [ "$(grep -c 'get OSSIO_ENOTFOUND 6' "$TMP/err")" = 1 ]
  # Every rank parses the line; rank 0 alone prints the usage error.
  mpi "${EP[@]}" bench fly "$B"
  check "usage error: exit 2 (got $RC)" [ "$RC" = 2 ]
  check "usage error: one line, from rank 0" [ "$(own_lines)" = 1 ]
  check "usage error: names the workload" grep -q "^ossio-mpi\[0\]: bench: unknown workload 'fly'" "$TMP/err"
  check "no secret in the output" bash -c '! grep -qF -- "$1" "$2" "$3"' _ "$OSSIO_EP_ACCESS_KEY_SECRET" "$TMP/out" "$TMP/err"
}

run_ossio() {
  "$OSSIO" "${EP[@]}" "$@" >"$TMP/out" 2>"$TMP/err"
  RC=$?
}

# Random lines (some empty, some long) in a "directory" of objects.
make_lines() {
  awk -v seed="$1" -v n="$2" 'BEGIN { srand(seed); for (i = 0; i < n; i++) { k = int(rand() * 120); if (i % 997 == 0) k = 70000; s = ""; for (j = 0; j < k; j++) s = s "x"; print i s } }'
}

case_count() {
  local d="$B/$PREFIX/dir/"
  for i in 0 1 2; do
    make_lines "$i" $((3000 + i * 2000)) >"$TMP/part-$i"
    run_ossio cp "$TMP/part-$i" "${d}part-$i"; check "upload part-$i" [ "$RC" = 0 ]
  done
  printf 'not a record\n' >"$TMP/_SUCCESS"
  run_ossio cp "$TMP/_SUCCESS" "${d}_SUCCESS" # skipped by Flink's rules, and by both counts
  # What a plain download holds.
  run_ossio cp -r "$d" "$TMP/down/"
  local wc
  wc=$(cat "$TMP"/down/part-* | wc -l)
  check "downloaded 3 parts ($wc lines)" [ "$(ls "$TMP/down" | grep -c '^part-')" = 3 ]
  # 9 splits or more over 4 ranks: some read 3, some 2.
  run_ossio --json count -p 9 "$d"
  cp "$TMP/out" "$TMP/one.json"
  mpi "${EP[@]}" --json count -p 9 "$d"
  check "count -p 9: exit 0: $(head -c 300 "$TMP/err")" [ "$RC" = 0 ]
  check "count -p 9: one document of 4 ranks" jqe -s 'length == 1 and .[0].ranks == 4' "$TMP/out"
  check "count -p 9 = wc -l ($wc)" jqe ".records == $wc" "$TMP/out"
  check "count -p 9 = ossio count (records, splits)" jqe --slurpfile one "$TMP/one.json" '.records == $one[0].records and .splits == $one[0].splits and .splits >= 9 and .uri == $one[0].uri' "$TMP/out"
  # Small blocks: many splits per object, each record once over the ranks;
  # the plain output is ossio count's.
  run_ossio -D fs.oss.block.size=100000 count -p 4 "$d"
  local one
  one=$(cat "$TMP/out")
  mpi "${EP[@]}" -D fs.oss.block.size=100000 count "$d"
  check "small blocks: exit 0" [ "$RC" = 0 ]
  check "small blocks: the same output as ossio count ($one)" [ "$(cat "$TMP/out")" = "$one" ]
  check "small blocks: = wc -l" [ "$(cat "$TMP/out")" = "$wc" ]
  # One object, HTTP/1.1, more ranks than splits, a two-byte delimiter.
  run_ossio -D fs.oss.block.size=100000 count -d '\x78\x78' "${d}part-2"
  one=$(cat "$TMP/out")
  mpi "${EP_H1[@]}" -D fs.oss.block.size=100000 count -p 2 -d '\x78\x78' "${d}part-2"
  check "-d xx over http/1.1, 2 splits on 4 ranks: exit 0" [ "$RC" = 0 ]
  check "-d xx over http/1.1, 2 splits on 4 ranks = ossio count ($one)" [ "$(cat "$TMP/out")" = "$one" ]
  mpi -n 1 "${EP[@]}" count "$d"
  check "one rank = wc -l" [ "$(cat "$TMP/out")" = "$wc" ]
  mpi "${EP[@]}" count "$B/$PREFIX/no-such-thing"
  check "a missing object: exit 3 (got $RC)" [ "$RC" = 3 ]
  check "a missing object: one line" [ "$(own_lines)" = 1 ]
  check "a missing object: from rank 0, which planned" grep -qE '^ossio-mpi\[0\]: count .*no such' "$TMP/err"
  # A failing split: a record over --max-record on whichever rank reads it.
  mpi "${EP[@]}" count --max-record 1000 "$d"
  check "a record over --max-record: exit 1 (got $RC)" [ "$RC" = 1 ]
  check "named OSSIO_ERECORDSIZE's text" grep -q 'record' "$TMP/err"
}

"case_$CASE"
[ "$FAILED" = 0 ] && echo "PASS: mpi $CASE"
exit "$FAILED"
