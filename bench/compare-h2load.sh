#!/usr/bin/env bash
# Ranged GETs side by side: ossio's bench/get against h2load (Debian
# nghttp2-client), in one run, on the same nginx of the local endpoint.
# COUNT parts of PART bytes from one OBJECT-byte file (big.bin, random bytes
# written by the endpoint daemon), for each transport:
#   h2tls  nginx_tls   ossio --connections 2 --streams 8      h2load -c2 -m8
#   h2c    nginx_h2c   ossio --h2c --connections 2 --streams 8 h2load -c2 -m8
#   h1     nginx_http  ossio --http1.1 --connections 16     h2load --h1 -c16 -m1
# ROUNDS alternating rounds per transport (ossio first, then h2load).
#
# h2load cannot vary a header per request, so every h2load request asks for
# the same range (bytes=0-(PART-1)) while ossio walks the whole file; the file
# is read once beforehand so nginx serves both from the page cache.
#
# Throughput is body bytes / the tool's own elapsed time (ossio: client
# creation to the end of ossio_client_run; h2load: its "finished in"), GB/s =
# 1e9 B/s. CPU s/GiB: ossio from getrusage inside bench/get; h2load from
# `/usr/bin/time -f '%e %U %S %M'` (user+sys of the whole process). Peak RSS:
# ru_maxrss / %M. The ossio process is also run under /usr/bin/time and both
# figures are kept in the per-run JSON lines.
#
# A benchmark, never a pass/fail test: it exits non-zero only when a tool
# fails a request (bench/get checks status 206, size and protocol of every
# part; h2load must report COUNT succeeded and COUNT 2xx).
#
#   bash bench/compare-h2load.sh
#   env: ROUNDS=5 COUNT=256 PART=8388608 OBJECT=2147483648
#        TRANSPORTS="h2tls h2c h1"   ENDPOINT_STATE=DIR (reuse a running
#        endpoint that has big.bin of OBJECT bytes instead of starting one)
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
rounds=${ROUNDS:-5}
count=${COUNT:-256}
part=${PART:-8388608}
object=${OBJECT:-2147483648}
transports=${TRANSPORTS:-h2tls h2c h1}
build=$root/build/bench

# Some environments export AWS_CA_BUNDLE and friends; no peer should see them.
while IFS= read -r v; do unset "$v"; done < <(env | sed -n 's/^\(AWS_[A-Za-z0-9_]*\)=.*/\1/p')

if [[ ! -x /usr/bin/time ]]; then
  echo "installing GNU time (/usr/bin/time)" >&2
  apt-get install -y time >/dev/null
fi
command -v h2load >/dev/null || { echo "h2load not found (Debian nghttp2-client)" >&2; exit 2; }

# shellcheck source=bench/lib.sh
. "$root/bench/lib.sh"
bench_build ossio_bench_get ossio_example_version
get=$build/bench/get

[[ -n ${ENDPOINT_STATE:-} ]] || echo "starting the endpoint (writes big.bin, $object random bytes) ..." >&2
bench_endpoint --nginx-file "big.bin:$object"
json=$state/endpoint.json
port() { node -p "require('$json').ports.$1"; }
ca=$(node -p "require('$json').ca_file")
www=$(node -p "require('$json').nginx_root")
have=$(stat -c %s "$www/big.bin")
[[ $have == "$object" ]] || { echo "big.bin is $have bytes, want $object" >&2; exit 2; }
cat "$www/big.bin" >/dev/null # into the page cache

aes=$(openssl speed -evp aes-128-gcm -decrypt -bytes 16384 -seconds 3 2>/dev/null |
  awk '/^AES-128-GCM/ { sub(/k$/, "", $2); printf "%.3f", $2 * 1000 / 1e9 }')

echo "date:    $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
echo "machine: $(nproc) cores, $(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), kernel $(uname -r)"
echo "ossio:   $("$build/examples/version" | head -1 | cut -d' ' -f2) (nghttp2 $("$build/examples/version" | awk '$1=="nghttp2"{print $2}'), openssl $("$build/examples/version" | awk '$1=="openssl"{print $2}'), libev $("$build/examples/version" | awk '$1=="libev"{print $2}'))"
echo "h2load:  $(h2load --version | head -1)"
echo "nginx:   $(nginx -v 2>&1 | sed 's/^nginx version: //')"
echo "openssl: $(openssl version)"
echo "aes-128-gcm decrypt, 16384-byte blocks, one core (openssl speed -evp): $aes GB/s = $(awk -v g="$aes" 'BEGIN { printf "%.3f", 1.073741824 / g }') CPU s/GiB (the TLS floor, before the kernel's copy)"
echo "load:    $count ranged GETs x $part bytes of a $object-byte file, $rounds alternating rounds per transport"
echo

runs=$tmp/runs.jsonl
: >"$runs"

# One h2load run -> one JSON line like bench/get's.
run_h2load() { # transport url args...
  local transport=$1 url=$2
  shift 2
  local out=$tmp/h2load.out tm=$tmp/time.out
  /usr/bin/time -o "$tm" -f '%e %U %S %M' h2load "$@" -n"$count" -H "range: bytes=0-$((part - 1))" "$url" >"$out" 2>&1 || {
    cat "$out" >&2
    echo "h2load failed" >&2
    exit 1
  }
  node - "$out" "$tm" "$transport" "$count" "$part" <<'JS'
'use strict';
const fs = require('fs');
const [out, tm, transport, count, part] = process.argv.slice(2);
const t = fs.readFileSync(out, 'utf8');
const fin = /finished in ([0-9.]+)(us|ms|s)\b/.exec(t);
const req = /requests: \d+ total, \d+ started, \d+ done, (\d+) succeeded/.exec(t);
const st = /status codes: (\d+) 2xx/.exec(t);
const data = /\((\d+)\) data/.exec(t);
const proto = /Application protocol: (\S+)/.exec(t);
if (!fin || !req || !st || !data || Number(req[1]) !== Number(count) || Number(st[1]) !== Number(count) ||
    Number(data[1]) !== Number(count) * Number(part)) {
  console.error(t); console.error('h2load: not every request succeeded with the full body'); process.exit(1);
}
const wall = Number(fin[1]) / ({ us: 1e6, ms: 1000, s: 1 })[fin[2]];
const [e, u, s, m] = fs.readFileSync(tm, 'utf8').trim().split('\n').pop().split(' ').map(Number);
const bytes = Number(data[1]);
console.log(JSON.stringify({
  tool: 'h2load', transport, protocol: proto ? proto[1] : null, count: Number(count), bytes,
  wall_s: wall, gbps: Number((bytes / wall / 1e9).toFixed(4)), gbitps: Number((bytes * 8 / wall / 1e9).toFixed(3)),
  cpu_s: Number((u + s).toFixed(2)), cpu_s_per_gib: Number(((u + s) / (bytes / 2 ** 30)).toFixed(4)),
  peak_rss_mib: Number((m / 1024).toFixed(1)), time_elapsed_s: e,
}));
JS
}

# One bench/get run, also under /usr/bin/time (kept as time_* fields).
run_ossio() { # args...
  local out=$tmp/get.out tm=$tmp/time.out
  /usr/bin/time -o "$tm" -f '%e %U %S %M' "$get" --count "$count" --part-size "$part" --object-size "$object" --json "$@" >"$out" || {
    cat "$out" >&2
    echo "bench/get failed (exit above)" >&2
    exit 1
  }
  node - "$out" "$tm" <<'JS'
'use strict';
const fs = require('fs');
const r = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const [e, u, s, m] = fs.readFileSync(process.argv[3], 'utf8').trim().split('\n').pop().split(' ').map(Number);
Object.assign(r, { time_elapsed_s: e, time_cpu_s: Number((u + s).toFixed(2)),
  time_cpu_s_per_gib: Number(((u + s) / (r.bytes / 2 ** 30)).toFixed(4)), time_peak_rss_mib: Number((m / 1024).toFixed(1)) });
console.log(JSON.stringify(r));
JS
}

for tr in $transports; do
  case $tr in
    h2tls)
      url=https://localhost:$(port nginx_tls)/big.bin
      ossio_args=(--url "$url" --ca "$ca" --connections 2 --streams 8)
      h2load_args=(-c2 -m8)
      ;;
    h2c)
      url=http://localhost:$(port nginx_h2c)/big.bin
      ossio_args=(--url "$url" --h2c --connections 2 --streams 8)
      h2load_args=(-c2 -m8)
      ;;
    h1)
      url=http://localhost:$(port nginx_http)/big.bin
      ossio_args=(--url "$url" --http1.1 --connections 16)
      h2load_args=(--h1 -c16 -m1)
      ;;
    *) echo "unknown transport $tr (h2tls, h2c, h1)" >&2; exit 2 ;;
  esac
  for ((i = 1; i <= rounds; i++)); do
    run_ossio "${ossio_args[@]}" | tee -a "$runs"
    run_h2load "$tr" "$url" "${h2load_args[@]}" | tee -a "$runs"
  done
done
echo

node - "$runs" <<'JS'
'use strict';
const runs = require('fs').readFileSync(process.argv[2], 'utf8').trim().split('\n').map(JSON.parse);
const med = (v) => { v = [...v].sort((a, b) => a - b); const n = v.length;
  return n % 2 ? v[(n - 1) / 2] : (v[n / 2 - 1] + v[n / 2]) / 2; };
const name = { 'h2+tls': 'h2 + TLS', h2tls: 'h2 + TLS', h2c: 'h2c', 'http/1.1': 'HTTP/1.1', h1: 'HTTP/1.1' };
const key = { 'h2+tls': 'h2tls', h2tls: 'h2tls', h2c: 'h2c', 'http/1.1': 'h1', h1: 'h1' };
console.log('| tool | transport | GB/s median (runs) | Gb/s median | CPU s/GiB median | peak RSS MiB | conns opened |');
console.log('|---|---|---:|---:|---:|---:|---:|');
const ratios = [];
for (const tr of ['h2tls', 'h2c', 'h1']) {
  const med_of = {};
  for (const tool of ['ossio', 'h2load']) {
    const t = runs.filter((r) => r.tool === tool && key[r.transport] === tr);
    if (!t.length) continue;
    const g = t.map((r) => r.gbps);
    const c = med(t.map((r) => r.cpu_s_per_gib));
    med_of[tool] = { g: med(g), c };
    const conns = tool === 'ossio' ? [...new Set(t.map((r) => r.connections_opened))].join('/') : '';
    console.log(`| ${tool} | ${name[tr]} | ${med(g).toFixed(3)} (${Math.min(...g).toFixed(3)}–${Math.max(...g).toFixed(3)}) | ` +
      `${(med(g) * 8).toFixed(2)} | ${c.toFixed(3)} | ${Math.max(...t.map((r) => r.peak_rss_mib)).toFixed(1)} | ${conns} |`);
  }
  if (med_of.ossio && med_of.h2load) {
    ratios.push(`${name[tr]}: ossio/h2load throughput ${(med_of.ossio.g / med_of.h2load.g).toFixed(2)}x, ` +
      `CPU/GiB ${(med_of.ossio.c / med_of.h2load.c).toFixed(2)}x`);
  }
}
console.log('');
for (const r of ratios) console.log(r);
JS
