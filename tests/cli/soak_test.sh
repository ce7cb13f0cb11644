#!/usr/bin/env bash
# The one-minute soak of ./dev test (issue 14.3): one ossio process per
# protocol repeats a GET/PUT/LIST mix against the local endpoint while this
# script samples its RSS and open descriptors; it fails when either grows.
#
#   soak_test.sh <ossio binary>          (ctest: cli_soak, labels endpoint soak)
#   env: OSSIO_SOAK_SECONDS=60 OSSIO_SOAK_INTERVAL=2 OSSIO_SOAK_RSS_MIB=1
#
# The mix (ossio bench mixed --ratio 2:1:1 --keys 8): 300 KiB objects in
# 100 KiB parts, so a GET is a 3-part download and a PUT a 5-request
# multipart upload; a listing reads 16 keys in pages of 10. Over h2 (nghttpx,
# TLS) and HTTP/1.1 (nghttpx, TLS, 8 connections) at once, ~50 requests/s
# each under ASan. Samples in four quarters of the run: the first is
# warm-up (connections, TLS sessions, allocator caches, ASan's quarantine);
# the median RSS of the last quarter minus that of the second must stay below
# OSSIO_SOAK_RSS_MIB, and no descriptor count in the last quarter may exceed
# the second quarter's largest. Why these bounds: docs/testing.md, "Soak".
# Never a time: the duration is the workload; a slow machine does fewer
# operations and the same checks.
set -uo pipefail

OSSIO=$1
SECONDS_RUN=${OSSIO_SOAK_SECONDS:-60}
INTERVAL=${OSSIO_SOAK_INTERVAL:-2}
BOUND_MIB=${OSSIO_SOAK_RSS_MIB:-1}
set -a
# shellcheck disable=SC1091
. "$OSSIO_ENDPOINT_STATE/endpoint.env"
set +a
unset OSS_ENDPOINT OSS_REGION OSS_SESSION_TOKEN FLINK_CONF_DIR HADOOP_CONF_DIR
unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_ENDPOINT_URL
export OSS_ACCESS_KEY_ID=$OSSIO_EP_ACCESS_KEY_ID
export OSS_ACCESS_KEY_SECRET=$OSSIO_EP_ACCESS_KEY_SECRET
# ASan keeps freed memory in a quarantine of 256 MiB by default: RSS would
# climb for minutes without any leak. 4 MiB fill in the warm-up, and
# use-after-free is still caught for the most recent frees.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=4"

B=oss://$OSSIO_EP_BUCKET
PREFIX="soak-$$-$RANDOM"
TMP=$(mktemp -d)
FAILED=0
COMMON=(-D fs.oss.path.style.access=true -D "fs.oss.connection.ca.file=$OSSIO_EP_CA_FILE"
        -D fs.oss.paging.maximum=10 --json -q)
MIX=(bench mixed --duration "$SECONDS_RUN" --ratio 2:1:1 --keys 8 --objects 8 --size 300k
     --part-size 100k -c 8)

cleanup() {
  "$OSSIO" --endpoint "https://localhost:$OSSIO_EP_PORT_H2_TLS" "${COMMON[@]}" rm -r "$B/$PREFIX" >/dev/null 2>&1
  rm -rf "$TMP"
}
trap cleanup EXIT

fail() { echo "FAIL: $*" >&2; FAILED=1; }
check() { local what=$1; shift; if "$@"; then echo "ok: $what"; else fail "$what"; fi; }

# Samples PID every INTERVAL s into CSV (t_s rss_kib fds) until it exits.
sample() { # pid csv
  local pid=$1 csv=$2 t0 rss
  t0=$(date +%s%N)
  : >"$csv"
  while kill -0 "$pid" 2>/dev/null; do
    rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null)
    [ -n "$rss" ] || break # exited, not yet reaped
    echo "$((($(date +%s%N) - t0) / 1000000)) $rss $(ls "/proc/$pid/fd" 2>/dev/null | wc -l)" >>"$csv"
    sleep "$INTERVAL"
  done
}

# "n median max" of column COL over samples with FROM <= t_ms < TO.
window() { # csv col from_ms to_ms
  awk -v c="$2" -v a="$3" -v b="$4" '$1 >= a && $1 < b {print $c}' "$1" | sort -n |
    awk '{v[NR] = $1} END {if (NR == 0) {print 0, 0, 0; exit}
         printf "%d %d %d\n", NR, (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2), v[NR]}'
}

start() { # name endpoint-options...
  local name=$1
  shift
  "$OSSIO" "$@" "${COMMON[@]}" "${MIX[@]}" --prefix "$PREFIX/$name" "$B" >"$TMP/$name.json" 2>"$TMP/$name.err" &
  PIDS+=($!)
  sample "$!" "$TMP/$name.csv" &
  SAMPLERS+=($!)
}

PIDS=() SAMPLERS=()
start h2 --endpoint "https://localhost:$OSSIO_EP_PORT_H2_TLS"
start h1 --endpoint "https://localhost:$OSSIO_EP_PORT_H1_TLS" --http1.1
RCS=()
for p in "${PIDS[@]}"; do wait "$p"; RCS+=($?); done
wait "${SAMPLERS[@]}"

q=$((SECONDS_RUN * 1000 / 4))
i=0
for name in h2 h1; do
  csv=$TMP/$name.csv
  echo "$name samples (ms rss_kib fds): $(tr '\n' ';' <"$csv")"
  check "$name: ossio exits 0: $(head -c 300 "$TMP/$name.err")" [ "${RCS[$i]}" = 0 ]
  check "$name: every kind ran, none failed" jq -e '.errors == 0 and .kinds.get.ops > 0 and .kinds.put.ops > 0 and .kinds.list.ops > 0' "$TMP/$name.json"
  echo "$name: $(jq -c '{ops, get: .kinds.get.ops, put: .kinds.put.ops, list: .kinds.list.ops, list_entries, connections_opened, protocol}' "$TMP/$name.json")"
  read -r n2 rss2 _ < <(window "$csv" 2 "$q" $((2 * q)))
  read -r n4 rss4 _ < <(window "$csv" 2 $((3 * q)) 999999999)
  read -r _ _ fd2 < <(window "$csv" 3 "$q" $((2 * q)))
  read -r _ _ fd4 < <(window "$csv" 3 $((3 * q)) 999999999)
  # Too few samples would make a pass mean nothing (a run cut short).
  check "$name: at least 3 samples in the second and in the last quarter ($n2, $n4)" [ "$n2" -ge 3 -a "$n4" -ge 3 ]
  grow=$((rss4 - rss2))
  check "$name: RSS grows by less than $BOUND_MIB MiB (median $rss2 KiB in the second quarter, $rss4 KiB in the last: $grow KiB)" \
    [ "$grow" -lt $((BOUND_MIB * 1024)) ]
  check "$name: descriptors do not grow (at most $fd2 in the second quarter, at most $fd4 in the last)" [ "$fd4" -le "$fd2" ]
  i=$((i + 1))
done
exit $FAILED
