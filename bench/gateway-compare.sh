#!/usr/bin/env bash
# What the gateway example (examples/gateway.c) costs in front of the store:
# a SIZE-byte object downloaded with curl through the gateway (plain HTTP/1.1
# to the gateway; the gateway to nghttpx over h2+TLS, 1 MiB ranges, 4 MiB
# bound) and, as the peer, with curl straight from nghttpx over h2+TLS with a
# presigned URL; both one client and N at once; plus `ossio cp` of the same
# object, with its defaults (8 MiB parts, 16 in flight: "ossio") and with the
# gateway's ranges (1 MiB, 4 in flight: "ossio1m"), which tells the store's
# per-request cost from the gateway's own. One run, one endpoint, one gateway
# process for all of it.
#
# Each round runs every case once, the order rotated by one per round and
# reversed every other round. Round 1 writes to DEST and compares every byte
# with the uploaded file; later rounds write to /dev/null.
#
# Throughput = bytes / wall time of the whole case (a nanosecond clock around
# it: curl's start-up included). Client CPU = curl's (or ossio's) user+sys
# (/usr/bin/time, one-client cases). Gateway CPU = the gateway process's
# utime+stime over the case (/proc/PID/stat), per GiB served; its peak RSS
# (VmHWM) is read at the end. Load: /proc/loadavg before every case.
# A benchmark, never a test: it exits non-zero only when a tool fails or a
# download is wrong.
#
#   bash bench/gateway-compare.sh
#   env: ROUNDS=5 SIZE=268435456 CLIENTS=8 DEST=/dev/shm ENDPOINT_STATE=DIR
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
rounds=${ROUNDS:-5}
size=${SIZE:-268435456}
clients=${CLIENTS:-8}
dest_root=${DEST:-/dev/shm}
build=$root/build/bench

while IFS= read -r v; do unset "$v"; done < <(env | sed -n 's/^\(AWS_[A-Za-z0-9_]*\)=.*/\1/p')
unset OSS_ENDPOINT OSS_REGION OSS_SESSION_TOKEN FLINK_CONF_DIR HADOOP_CONF_DIR
[[ -x /usr/bin/time ]] || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time >/dev/null

# shellcheck source=bench/lib.sh
. "$root/bench/lib.sh"
bench_build ossio_cli ossio_example_gateway
ossio=$build/cli/ossio
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
date_start=$(date -u '+%Y-%m-%d %H:%M:%S UTC')
bench_endpoint
json=$state/endpoint.json
ca=$(jq -r .ca_file "$json")
bucket=$(jq -r .bucket "$json")
port=$(jq -r .ports.h2_tls "$json")
OSS_ACCESS_KEY_ID=$(jq -r .credentials.access_key_id "$json")
OSS_ACCESS_KEY_SECRET=$(jq -r .credentials.access_key_secret "$json")
export OSS_ACCESS_KEY_ID OSS_ACCESS_KEY_SECRET
ep=(-D "fs.oss.endpoint=https://localhost:$port" -D "fs.oss.connection.ca.file=$ca")

work=$(mktemp -d "$dest_root/ossio-gwbench.XXXXXX")
trap 'kill "$gw_pid" 2>/dev/null || true; rm -rf "$work"; bench_cleanup' EXIT
src=$work/src.bin
head -c "$size" /dev/urandom >"$src"
key=gwbench/$$/obj.bin
"$ossio" "${ep[@]}" -q cp "$src" "oss://$bucket/$key"
url=$("$ossio" "${ep[@]}" presign --expires 7200 "oss://$bucket/$key")

"$build/examples/gateway" "${ep[@]}" --listen 127.0.0.1:0 >"$work/gw.out" 2>"$work/gw.err" &
gw_pid=$!
for _ in $(seq 100); do grep -q listening "$work/gw.out" 2>/dev/null && break; sleep 0.1; done
gw_url=$(sed -n 's|.*listening on \(http://[0-9.:]*\).*|\1|p' "$work/gw.out")/$bucket/$key
[[ -n $gw_url ]] || { echo "the gateway did not start:" >&2; cat "$work/gw.err" >&2; exit 1; }
gw_ticks() { awk '{print $14 + $15}' "/proc/$gw_pid/stat"; }
hz=$(getconf CLK_TCK)

runs=$work/runs.jsonl
: >"$runs"
tm=$work/time.out

fetch() { # tool out
  case $1 in
  gateway) curl -sS --fail -o "$2" "$gw_url" ;;
  direct) curl -sS --fail --http2 --cacert "$ca" -o "$2" "$url" ;;
  ossio) "$ossio" "${ep[@]}" -q cp "oss://$bucket/$key" "$2" ;;
  ossio1m) "$ossio" "${ep[@]}" -q -D fs.oss.multipart.download.size=1M \
    -D fs.oss.multipart.download.threads=4 cp "oss://$bucket/$key" "$2" ;;
  esac
}

run_case() { # round case
  local round=$1 c=$2 tool n=1 load t0 t1 g0 g1 cpu=null out i
  tool=${c%-x*}
  [[ $c == *-x* ]] && n=$clients
  load=$(cut -d' ' -f1 /proc/loadavg)
  g0=$(gw_ticks)
  t0=$(date +%s%N)
  if ((n == 1)); then
    out=/dev/null
    ((round == 1)) && out=$work/got.0
    /usr/bin/time -o "$tm" -f '%U %S' bash -c "$(declare -f fetch); $(declare -p gw_url url ca ossio ep bucket key); fetch $tool $out" ||
      { echo "$c failed" >&2; exit 1; }
    cpu=$(awk '{print $1 + $2}' "$tm")
  else
    local pids=()
    for ((i = 0; i < n; i++)); do
      out=/dev/null
      ((round == 1)) && out=$work/got.$i
      fetch "$tool" "$out" &
      pids+=($!)
    done
    for p in "${pids[@]}"; do wait "$p" || { echo "$c failed" >&2; exit 1; }; done
  fi
  t1=$(date +%s%N)
  g1=$(gw_ticks)
  if ((round == 1)); then
    for ((i = 0; i < n; i++)); do
      cmp -s "$src" "$work/got.$i" || { echo "$c: client $i got other bytes" >&2; exit 1; }
      rm -f "$work/got.$i"
    done
  fi
  jq -nc --arg case "$c" --argjson round "$round" --argjson n "$n" --argjson ns "$((t1 - t0))" \
    --argjson cpu "$cpu" --argjson gwt "$((g1 - g0))" --argjson hz "$hz" --argjson size "$size" \
    --arg load "$load" \
    '{case: $case, round: $round, clients: $n, seconds: ($ns / 1e9),
      gbps: ($size * $n / ($ns / 1e9) / 1e9), client_cpu_s: $cpu,
      gateway_cpu_s_per_gib: (if $case | startswith("gateway") then ($gwt / $hz) / ($size * $n / 1073741824) else null end),
      load: $load}' | tee -a "$runs"
}

cases=(gateway direct ossio ossio1m "gateway-x$clients" "direct-x$clients")
for ((r = 1; r <= rounds; r++)); do
  order=("${cases[@]:$(((r - 1) % ${#cases[@]}))}" "${cases[@]:0:$(((r - 1) % ${#cases[@]}))}")
  if ((r % 2 == 0)); then mapfile -t order < <(printf '%s\n' "${order[@]}" | tac); fi
  for c in "${order[@]}"; do run_case "$r" "$c"; done
done
gw_hwm=$(awk '/VmHWM/ {print $2}' "/proc/$gw_pid/status")
kill -TERM "$gw_pid"
wait "$gw_pid" || { echo "the gateway did not exit cleanly" >&2; exit 1; }
"$ossio" "${ep[@]}" -q rm "oss://$bucket/$key"

echo
echo "machine: $(nproc) cores, $(uname -r); $(curl --version | head -1 | cut -d' ' -f1-2); ossio $("$ossio" version | head -1)"
echo "started $date_start, load $load_start; ended, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "object $size bytes, $rounds rounds; gateway peak RSS ${gw_hwm} KiB over the whole run"
echo
echo "| case | clients | GB/s median (min–max) | client CPU s (median) | gateway CPU s/GiB (median) |"
echo "|---|---|---|---|---|"
for c in "${cases[@]}"; do
  jq -rs --arg c "$c" '
    def med: sort | if length == 0 then null else .[(length - 1) / 2 | floor] end;
    def f(x): if x == null then "–" else (x * 1000 | round / 1000 | tostring) end;
    [.[] | select(.case == $c)] as $r
    | "| \($c) | \($r[0].clients) | \(f([$r[].gbps] | med)) (\(f([$r[].gbps] | min))–\(f([$r[].gbps] | max))) | \(f([$r[].client_cpu_s | select(. != null)] | med)) | \(f([$r[].gateway_cpu_s_per_gib | select(. != null)] | med)) |"' "$runs"
done
