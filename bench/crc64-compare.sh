#!/usr/bin/env bash
# CRC-64/ECMA-182 side by side: ossio (ISA-L) against the npm package
# crc64-ecma182.js, over the same random file, in one run. Builds a Release
# build in build/bench, then runs ossio's bench and the Node peer alternately
# (ROUNDS times each), each run timing REPS passes and reporting its median.
# Prints the machine, the versions, each run, and one markdown table.
# A benchmark, never a pass/fail test; it exits non-zero only if a tool fails
# its own correctness check or the two disagree on the CRC.
#
#   bash bench/crc64-compare.sh        env: SIZE_MIB=256 REPS=5 ROUNDS=5
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
size_mib=${SIZE_MIB:-256}
reps=${REPS:-5}
rounds=${ROUNDS:-5}
build=$root/build/bench

cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DOSSIO_BUILD_TESTS=OFF >/dev/null
cmake --build "$build" --target ossio_bench_crc64 -j2 >/dev/null
bench=$build/bench/crc64

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
head -c "$((size_mib * 1024 * 1024))" /dev/urandom >"$tmp/data.bin"

# The peer: crc64(buf, prevDecimalString) -> decimal string. Its emscripten
# heap is fixed at 16 MiB, so the file is fed in 4 MiB pieces chained through
# prev (the package's documented way to hash a stream). Same method as
# bench/crc64.c: check string, one untimed pass for the CRC, then REPS timed
# passes, median GB/s (1e9 B/s), CPU s/GiB over the timed passes, peak RSS.
cat >"$tmp/peer.js" <<'JS'
'use strict';
const fs = require('fs');
const [root, file, reps] = [process.argv[2], process.argv[3], Number(process.argv[4])];
const crc64 = require(root + '/tests/endpoint/node_modules/crc64-ecma182.js').crc64;
const CHUNK = 4 << 20;
if (crc64(Buffer.from('123456789')) !== '11051210869376104954') {
  console.error('peer: check string failed'); process.exit(1);
}
const buf = fs.readFileSync(file);
const pass = () => {
  let prev = '0';
  for (let o = 0; o < buf.length; o += CHUNK) prev = crc64(buf.subarray(o, o + CHUNK), prev);
  return prev;
};
const crc = pass();
const gbps = [];
const cpu0 = process.cpuUsage();
for (let r = 0; r < reps; r++) {
  const t0 = process.hrtime.bigint();
  const c = pass();
  const dt = Number(process.hrtime.bigint() - t0) / 1e9;
  if (c !== crc) { console.error('peer: pass gave a different CRC'); process.exit(1); }
  gbps.push(buf.length / dt / 1e9);
}
const cpu = process.cpuUsage(cpu0);
gbps.sort((a, b) => a - b);
const n = gbps.length;
const med = n % 2 ? gbps[(n - 1) / 2] : (gbps[n / 2 - 1] + gbps[n / 2]) / 2;
console.log(JSON.stringify({
  tool: 'crc64-ecma182.js', size_bytes: buf.length, reps, crc64: crc,
  crc64_gbps_median: Number(med.toFixed(3)),
  cpu_s_per_gib: Number(((cpu.user + cpu.system) / 1e6 / (buf.length * reps / 2 ** 30)).toFixed(4)),
  peak_rss_mib: Number((process.resourceUsage().maxRSS / 1024).toFixed(1)),
}));
JS

echo "date:   $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
echo "kernel: $(uname -r)"
echo "cpu:    $(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//') ($(nproc) cores)"
first=$("$bench" --size 1 --reps 1 --json)
echo "ossio:  $(sed 's/.*"ossio_version":"\([^"]*\)".*/\1/' <<<"$first")"
echo "isa-l:  $(sed 's/.*"isal_version":"\([^"]*\)".*/\1/' <<<"$first")"
echo "node:   $(node --version), crc64-ecma182.js $(node -p "require('$root/tests/endpoint/node_modules/crc64-ecma182.js/package.json').version")"
echo "data:   ${size_mib} MiB from /dev/urandom, ${rounds} alternating runs per tool, ${reps} timed passes per run"
echo

: >"$tmp/runs.jsonl"
for ((i = 1; i <= rounds; i++)); do
  "$bench" --file "$tmp/data.bin" --reps "$reps" --json | tee -a "$tmp/runs.jsonl"
  node "$tmp/peer.js" "$root" "$tmp/data.bin" "$reps" | tee -a "$tmp/runs.jsonl"
done
echo

node - "$tmp/runs.jsonl" <<'JS'
'use strict';
const runs = require('fs').readFileSync(process.argv[2], 'utf8').trim().split('\n').map(JSON.parse);
const med = (v) => { v = [...v].sort((a, b) => a - b); const n = v.length;
  return n % 2 ? v[(n - 1) / 2] : (v[n / 2 - 1] + v[n / 2]) / 2; };
const crcs = new Set(runs.map((r) => r.crc64));
if (crcs.size !== 1) { console.error('CRC MISMATCH between runs/tools:', [...crcs].join(' ')); process.exit(1); }
console.log(`CRC-64 of the file: ${[...crcs][0]} (ossio and crc64-ecma182.js agree)`);
const o = runs.filter((r) => r.tool === 'ossio');
console.log(`ossio_crc64_combine, len2 = 8 MiB: ${med(o.map((r) => r.combine_calls_per_s_median)).toFixed(0)} calls/s (median of runs; no peer)`);
console.log('');
console.log('| tool | GB/s (median) | CPU s/GiB | peak RSS MiB |');
console.log('|---|---:|---:|---:|');
for (const tool of ['ossio', 'crc64-ecma182.js']) {
  const t = runs.filter((r) => r.tool === tool);
  const g = t.map((r) => r.crc64_gbps_median);
  console.log(`| ${tool} | ${med(g).toFixed(3)} (runs ${Math.min(...g).toFixed(3)}–${Math.max(...g).toFixed(3)}) | ` +
    `${med(t.map((r) => r.cpu_s_per_gib)).toFixed(4)} | ${Math.max(...t.map((r) => r.peak_rss_mib)).toFixed(1)} |`);
}
JS
