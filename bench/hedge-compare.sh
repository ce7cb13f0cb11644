#!/usr/bin/env bash
# shellcheck disable=SC2034
# What download hedging costs on a healthy server: `ossio cp` of a SIZE-byte
# file served by nginx (the local endpoint) to a file in DEST, with hedging on
# (the default: fs.oss.multipart.download.hedging not set) and off, over
# h2+TLS, h2c (both CONNS x STREAMS, compare.sh's 2 x 8) and HTTP/1.1 (CONNS x
# STREAMS connections), with PART-byte parts (8 MiB, the default: a 1 GiB file
# is 128 parts, so the 5 % budget allows at most 6 hedges) and SMALL_PART-byte
# parts (1 MiB: 1024 parts, up to 51 hedges), plus curl (one stream, the same
# file, the same DEST) as the peer reference, in one run; and h2tls_1c/h2c_1c:
# ossio's own connection defaults (one h2 connection carries the 16 parts),
# PART only.
#
# Each round runs every case once; the order is rotated by one case per round
# and reversed every other round, so on/off pairs swap places and no case
# always follows the same neighbour. ossio is run with -vv (both on and off,
# so the logging is the same): hedges fired are its "hedging the part" lines,
# hedges that won its "hedged part ... won" lines, retries its "retrying"
# lines. Every downloaded file's size is checked, and in round 1 its bytes
# (cmp with nginx's file); the file is removed after each run.
#
# Throughput = SIZE / wall time of the whole process (a nanosecond clock
# around /usr/bin/time: start-up included, as for curl); ossio's own --json
# "seconds" (first submit to the end) is kept in the JSON lines. CPU =
# user+sys of the process (%U+%S), peak RSS = %M. nginx CPU = its one
# worker's utime+stime over the run (/proc/PID/stat, 10 ms ticks): what the
# run cost the server, where extra requests would show. Load: /proc/loadavg
# at the start and end of the run and before every case (in its JSON line).
# A benchmark, never a test: it exits non-zero only when a tool fails or a
# download is wrong.
#
#   bash bench/hedge-compare.sh
#   env: ROUNDS=5 SIZE=1073741824 PART=8388608 SMALL_PART=1048576 CONNS=2
#        STREAMS=8 TRANSPORTS="h2tls h2c h1 h2tls_1c h2c_1c" DEST=/dev/shm
#        ENDPOINT_STATE=DIR
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
rounds=${ROUNDS:-5}
size=${SIZE:-1073741824}
part=${PART:-8388608}
small_part=${SMALL_PART:-1048576}
conns=${CONNS:-2}
streams=${STREAMS:-8}
transports=${TRANSPORTS:-h2tls h2c h1 h2tls_1c h2c_1c}
dest_root=${DEST:-/dev/shm}
build=$root/build/bench

while IFS= read -r v; do unset "$v"; done < <(env | sed -n 's/^\(AWS_[A-Za-z0-9_]*\)=.*/\1/p')
unset OSS_ENDPOINT OSS_REGION OSS_SESSION_TOKEN FLINK_CONF_DIR HADOOP_CONF_DIR
[[ -x /usr/bin/time ]] || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time >/dev/null

# shellcheck source=bench/lib.sh
. "$root/bench/lib.sh"
bench_build ossio_cli ossio_example_version
ossio=$build/cli/ossio
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
date_start=$(date -u '+%Y-%m-%d %H:%M:%S UTC')

echo "starting the endpoint (nginx file big.bin, $size bytes) ..." >&2
bench_endpoint --nginx-file "big.bin:$size"
json=$state/endpoint.json
jq_ep() { jq -r "$1" "$json"; }
ca=$(jq_ep .ca_file)
bucket=$(jq_ep .bucket)
www=$(jq_ep .nginx_root)
p_tls=$(jq_ep .ports.nginx_tls) p_h2c=$(jq_ep .ports.nginx_h2c) p_h1=$(jq_ep .ports.nginx_http)
# nginx's one worker: its CPU over each run is the server's side of the cost.
nginx_master=$(jq_ep .pids.nginx)
worker=$(tr -s ' ' '\n' <"/proc/$nginx_master/task/$nginx_master/children" | head -1)
[[ -n $worker ]] || { echo "no nginx worker under pid $nginx_master" >&2; exit 1; }
hz=$(getconf CLK_TCK)
nginx_ticks() { awk '{print $14 + $15}' "/proc/$worker/stat"; }
# nginx ignores the signature; ossio still needs credentials to sign.
export OSS_ACCESS_KEY_ID=bench OSS_ACCESS_KEY_SECRET=bench-secret-not-checked-by-nginx
# nginx serves path-style URLs /<bucket>/<file> from its root (as compare.sh).
src=$www/$bucket/big.bin
mkdir -p "$www/$bucket"
ln -f "$www/big.bin" "$src"
[[ $(stat -c %s "$src") == "$size" ]] || { echo "nginx's big.bin is not $size bytes" >&2; exit 1; }
cat "$src" >/dev/null # the page cache: nginx serves every run from memory

dest_dir=$(mktemp -d "$dest_root/ossio-hedge.XXXXXX")
trap 'rm -rf "$dest_dir"; bench_cleanup' EXIT
dest=$dest_dir/big.bin

# ossio against nginx, 16 requests in flight as compare.sh: h2 2 connections
# x 8 streams, HTTP/1.1 16 connections (fs.oss.multipart.download.threads is 16).
o_common=(-D fs.oss.path.style.access=true)
# (o_* and c_* are used through local -n in run_case: SC2034 is off above)
o_h2tls=(--endpoint "https://localhost:$p_tls" -D "fs.oss.connection.ca.file=$ca"
         -D "fs.oss.connection.maximum=$conns" -D "fs.oss.http2.max.streams=$streams")
o_h2c=(--endpoint "http://localhost:$p_h2c" -D fs.oss.http2.cleartext=true
       -D "fs.oss.connection.maximum=$conns" -D "fs.oss.http2.max.streams=$streams")
o_h1=(--endpoint "http://localhost:$p_h1" --http1.1 -D "fs.oss.connection.maximum=$((conns * streams))")
# ossio's own defaults (fs.oss.connection.maximum 32, fs.oss.http2.max.streams
# 1000): the 16 parts share one h2 connection. PART only, no curl row (curl's
# one stream is the same as above).
o_h2tls_1c=(--endpoint "https://localhost:$p_tls" -D "fs.oss.connection.ca.file=$ca")
o_h2c_1c=(--endpoint "http://localhost:$p_h2c" -D fs.oss.http2.cleartext=true)
c_h2tls=(--http2 --cacert "$ca" "https://localhost:$p_tls/$bucket/big.bin")
c_h2c=(--http2-prior-knowledge "http://localhost:$p_h2c/$bucket/big.bin")
c_h1=(--http1.1 "http://localhost:$p_h1/$bucket/big.bin")

runs=$tmp/runs.jsonl
: >"$runs"
tm=$tmp/time.out
out=$tmp/out
err=$tmp/err
die_run() { echo "$1 failed:" >&2; cat "$out" "$err" >&2; exit 1; }

check_dest() { # what round
  local got
  got=$(stat -c %s "$dest" 2>/dev/null || echo missing)
  [[ $got == "$size" ]] || die_run "$1: the file is $got bytes, want $size"
  if (($2 == 1)); then cmp -s "$src" "$dest" || die_run "$1: the file differs from nginx's"; fi
  rm -f "$dest"
}

# One case: "ossio TRANSPORT PART on|off" or "curl TRANSPORT".
run_case() { # round tool transport [part hedging]
  local round=$1 tool=$2 tr=$3 ps=${4:-0} hedging=${5:-} load secs=null h=0 won=0 retries=0 t0 t1 n0 n1
  load=$(cut -d' ' -f1 /proc/loadavg)
  rm -f "$dest"
  n0=$(nginx_ticks)
  t0=$(date +%s%N)
  if [[ $tool == ossio ]]; then
    local -n o="o_$tr"
    local off=()
    [[ $hedging == on ]] || off=(-D fs.oss.multipart.download.hedging=false) # on: the default, not set
    /usr/bin/time -o "$tm" -f '%e %U %S %M' "$ossio" --json -vv "${o_common[@]}" "${o[@]}" \
      -D "fs.oss.multipart.download.size=$ps" "${off[@]}" \
      cp "oss://$bucket/big.bin" "$dest" >"$out" 2>"$err" || die_run "ossio $tr $ps $hedging"
    t1=$(date +%s%N)
    n1=$(nginx_ticks)
    jq -e '.transfers[0].status == "ok"' "$out" >/dev/null || die_run "ossio $tr $ps $hedging"
    secs=$(jq .seconds "$out")
    h=$(grep -c 'hedging the part' "$err" || true)
    won=$(grep -c 'hedged part .* won' "$err" || true)
    retries=$(grep -c 'retrying\|re-sending' "$err" || true)
    tool="ossio hedging $hedging"
  else
    local -n c="c_$tr"
    /usr/bin/time -o "$tm" -f '%e %U %S %M' curl -sS -f -o "$dest" "${c[@]}" >"$out" 2>"$err" || die_run "curl $tr"
    t1=$(date +%s%N)
    n1=$(nginx_ticks)
  fi
  check_dest "$tool $tr $ps" "$round"
  local e u s m
  read -r e u s m < <(tail -1 "$tm")
  e=$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.3f", (b - a) / 1e9}') # %e has 10 ms steps
  jq -cn --argjson round "$round" --arg tool "$tool" --arg tr "$tr" --argjson part "$ps" \
    --argjson bytes "$size" --argjson wall "$e" --argjson cpu "$(awk -v u="$u" -v s="$s" 'BEGIN{printf "%.2f", u+s}')" \
    --argjson rss "$(awk -v m="$m" 'BEGIN{printf "%.1f", m/1024}')" --argjson secs "$secs" \
    --argjson hedges "$h" --argjson won "$won" --argjson retries "$retries" --argjson load "$load" \
    --argjson nginx "$(awk -v a="$n0" -v b="$n1" -v hz="$hz" 'BEGIN {printf "%.2f", (b - a) / hz}')" \
    '{round: $round, tool: $tool, transport: $tr, part: $part, bytes: $bytes, wall_s: $wall, ossio_seconds: $secs,
      cpu_s: $cpu, rss_mib: $rss, nginx_cpu_s: $nginx, hedges: $hedges, hedges_won: $won, retries: $retries, load1: $load}' | tee -a "$runs"
}

cases=()
for tr in $transports; do
  if [[ $tr == *_1c ]]; then
    cases+=("ossio $tr $part on" "ossio $tr $part off")
    continue
  fi
  cases+=("curl $tr")
  for ps in "$part" "$small_part"; do
    cases+=("ossio $tr $ps on" "ossio $tr $ps off")
  done
done
n=${#cases[@]}
for ((round = 1; round <= rounds; round++)); do
  echo "round $round of $rounds (load $(cut -d' ' -f1-3 /proc/loadavg))" >&2
  order=()
  for ((i = 0; i < n; i++)); do order+=("${cases[(i + round - 1) % n]}"); done
  if ((round % 2 == 0)); then
    for ((i = n - 1; i >= 0; i--)); do
      # shellcheck disable=SC2086 # a case is words
      run_case "$round" ${order[i]}
    done
  else
    for ((i = 0; i < n; i++)); do
      # shellcheck disable=SC2086
      run_case "$round" ${order[i]}
    done
  fi
done
echo

v() { "$build/examples/version" | awk -v d="$1" '$1==d {print $2}'; }
echo "date:    $date_start to $(date -u '+%H:%M:%S UTC')"
echo "machine: $(nproc) cores, $(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo), kernel $(uname -r)"
echo "load:    $load_start at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end (1, 5, 15 min)"
echo "ossio:   $("$build/examples/version" | head -1 | cut -d' ' -f2) (nghttp2 $(v nghttp2), openssl $(v openssl), libev $(v libev))"
echo "peers:   $(curl --version | head -1 | cut -d' ' -f1-2); nginx $(nginx -v 2>&1 | sed 's/^nginx version: //')"
echo "run:     SIZE=$size PART=$part SMALL_PART=$small_part CONNS=$conns STREAMS=$streams ROUNDS=$rounds DEST=$dest_root"
echo
node - "$runs" <<'JS'
'use strict';
const runs = require('fs').readFileSync(process.argv[2], 'utf8').trim().split('\n').map(JSON.parse);
const med = (v) => { v = [...v].sort((a, b) => a - b); const n = v.length;
  return n % 2 ? v[(n - 1) / 2] : (v[n / 2 - 1] + v[n / 2]) / 2; };
const fmt = (v, d) => `${med(v).toFixed(d)} (${Math.min(...v).toFixed(d)}–${Math.max(...v).toFixed(d)})`;
const trName = { h2tls: 'h2 + TLS, 2 × 8', h2c: 'h2c, 2 × 8', h1: 'HTTP/1.1 × 16',
  h2tls_1c: 'h2 + TLS, defaults (1 × 16)', h2c_1c: 'h2c, defaults (1 × 16)' };
const mib = (b) => `${b / 1048576} MiB`;
const groups = new Map();
for (const r of runs) {
  const k = `${r.transport}|${r.tool}|${r.part}`;
  if (!groups.has(k)) groups.set(k, []);
  groups.get(k).push(r);
}
console.log('| transport | tool | part | parts | GB/s median (range) | wall s | CPU s (user+sys) | peak RSS MiB | nginx CPU s | hedges fired (won) per run | runs |');
console.log('|---|---|---:|---:|---:|---:|---:|---:|---:|---|---:|');
for (const [k, rs] of groups) {
  const [tr, tool, part] = k.split('|');
  const parts = +part ? Math.ceil(rs[0].bytes / +part) : '';
  const h = tool.startsWith('ossio') ? rs.map((r) => `${r.hedges}${r.hedges_won ? ` (${r.hedges_won})` : ''}`).join(', ') : '';
  console.log(`| ${trName[tr] || tr} | ${tool} | ${+part ? mib(+part) : 'whole'} | ${parts} | ` +
    `${fmt(rs.map((r) => r.bytes / r.wall_s / 1e9), 3)} | ${fmt(rs.map((r) => r.wall_s), 2)} | ` +
    `${fmt(rs.map((r) => r.cpu_s), 2)} | ${fmt(rs.map((r) => r.rss_mib), 1)} | ` +
    `${fmt(rs.map((r) => r.nginx_cpu_s), 2)} | ${h} | ${rs.length} |`);
}
console.log();
console.log('| transport | part | on/off GB/s (medians) | on/off CPU s (medians) | on/off nginx CPU s | hedges fired / parts requested (on) | retries (on, off) |');
console.log('|---|---:|---:|---:|---:|---:|---|');
for (const [k, on] of groups) {
  const [tr, tool, part] = k.split('|');
  if (tool !== 'ossio hedging on') continue;
  const off = groups.get(`${tr}|ossio hedging off|${part}`) || [];
  if (!off.length) continue;
  const g = (rs) => med(rs.map((r) => r.bytes / r.wall_s));
  const c = (rs) => med(rs.map((r) => r.cpu_s));
  const nc = (rs) => med(rs.map((r) => r.nginx_cpu_s));
  const fired = on.reduce((a, r) => a + r.hedges, 0);
  const parts = on.length * Math.ceil(on[0].bytes / +part);
  const sum = (rs) => rs.reduce((a, r) => a + r.retries, 0);
  console.log(`| ${trName[tr] || tr} | ${mib(+part)} | ${(g(on) / g(off)).toFixed(3)} | ${(c(on) / c(off)).toFixed(3)} | ${(nc(on) / nc(off)).toFixed(3)} | ` +
    `${fired} / ${parts} (${(100 * fired / parts).toFixed(2)} %) | ${sum(on)}, ${sum(off)} |`);
}
JS
