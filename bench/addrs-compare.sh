#!/usr/bin/env bash
# Every address (issue 15.4): one name answering 1 address vs 4, against the
# local endpoint's nginx "spread" listeners (127.0.0.2, .3, .6, .7, one port;
# tests/endpoint/lib/proxies.js). `ossio bench get` of a SIZE-byte (1 GiB)
# file in PART (8 MiB) ranged GETs, CONC (16) in flight, over HTTP/1.1
# (CONC connections) and h2c (STREAMS (4) streams per connection, so that the
# pool opens several connections); the name is pinned with
# fs.oss.connection.resolve, so no DNS server is involved. ROUNDS (3)
# rounds, 1 and 4 addresses alternating. Per run: GB/s, client CPU s/GiB and
# how requests spread over the addresses (the report's "addresses").
#
# On loopback every address reaches the same nginx worker: this shows the
# cost of spreading (none expected) and that it spreads, not the gain of
# several real front ends.
#
#   bash bench/addrs-compare.sh
#   env: ROUNDS=3 SIZE=1073741824 PART=8388608 CONC=16 STREAMS=4
#        TRANSPORTS="h1 h2c"   ENDPOINT_STATE=DIR (reuse a running endpoint
#        whose nginx has big.bin of SIZE bytes)
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
rounds=${ROUNDS:-3}
size=${SIZE:-1073741824}
part=${PART:-8388608}
conc=${CONC:-16}
streams=${STREAMS:-4}
transports=${TRANSPORTS:-h1 h2c}
build=$root/build/bench

# shellcheck source=bench/lib.sh
. "$root/bench/lib.sh"
bench_build ossio_cli
ossio=$build/cli/ossio

echo "starting the endpoint (nginx file big.bin: $size bytes) ..." >&2
bench_endpoint --nginx-file "big.bin:$size"
json=$state/endpoint.json
jq_ep() { jq -r "$1" "$json"; }
bucket=$(jq_ep .bucket)
www=$(jq_ep .nginx_root)
mkdir -p "$www/$bucket"
ln -f "$www/big.bin" "$www/$bucket/big.bin"
cat "$www/big.bin" >/dev/null # page cache
export OSS_ACCESS_KEY_ID=bench OSS_ACCESS_KEY_SECRET=bench # nginx ignores signatures

one=127.0.0.2
four=127.0.0.2,127.0.0.3,127.0.0.6,127.0.0.7

run() { # transport addrs-label addr-list
  local t=$1 label=$2 list=$3 port flags
  case "$t" in
    h1) port=$(jq_ep .ports.nginx_spread); flags=(--http1.1 -D "fs.oss.connection.maximum=$conc") ;;
    h2c) port=$(jq_ep .ports.nginx_spread_h2c)
         flags=(-D fs.oss.http2.cleartext=true -D "fs.oss.http2.max.streams=$streams"
                -D "fs.oss.connection.maximum=$conc") ;;
  esac
  "$ossio" --json --endpoint "http://addrs.bench:$port" -D fs.oss.path.style.access=true \
    -D "fs.oss.connection.resolve=addrs.bench:$port:$list" "${flags[@]}" \
    bench get --count 1 --part-size "$part" -c "$conc" "oss://$bucket/big.bin" |
    jq -c --arg t "$t" --arg a "$label" '{transport: $t, addresses_used: $a, gbps, cpu_s_per_gib,
      errors, connections_opened,
      spread: [.addresses[] | {address, connections_opened, requests, failures, set_aside}]}'
}

echo "load at start: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
out=$tmp/runs.jsonl
for ((r = 1; r <= rounds; r++)); do
  for t in $transports; do
    run "$t" 1 "$one" | tee -a "$out"
    run "$t" 4 "$four" | tee -a "$out"
  done
done
echo "load at end: $(cut -d' ' -f1-3 /proc/loadavg)" >&2

echo
echo "| transport | addresses | GB/s (median, min–max) | CPU s/GiB (median) |"
echo "|---|---|---|---|"
jq -s -r 'group_by([.transport, .addresses_used])[] |
  (map(.gbps) | sort) as $g | (map(.cpu_s_per_gib) | sort) as $c |
  "| \(.[0].transport) | \(.[0].addresses_used) | \($g[length / 2 | floor] * 1000 | round / 1000) (\($g[0] * 1000 | round / 1000)–\($g[-1] * 1000 | round / 1000)) | \($c[length / 2 | floor] * 1000 | round / 1000) |"' "$out"
