# The side-by-side scripts' runs (sourced after bench/lib.sh's
# bench_endpoint or after $tmp is set): each run is one JSON line in $runs,
# timed with GNU time; runs_table prints the markdown table of medians.
#
#   emit TEST TOOL TRANSPORT BYTES OPS WALL CPU RSS [EXTRA-JSON]
#   timed CMD...              GNU time into $tm, stdout $out, stderr $tmp/err
#   ossio_run TEST TR ARGS... $ossio --json -q ARGS (a bench's own figures)
#   h2load_run TEST TR N URL ARGS...
#   curl_run TEST TOOL TR WANT_BYTES OPS CURL-ARGS...
#   rclone_run TEST TR BYTES OPS RCLONE-ARGS...  (with $rc_flags)
#   runs_table [EXCLUDE-REGEX] medians (ranges) per test, tool and transport

runs=$tmp/runs.jsonl
: >"$runs"
tm=$tmp/time.out
out=$tmp/out
emit() { # test tool transport bytes ops wall cpu rss [extra json]
  local j extra=${9:-'{}'}
  j=$(jq -cn --arg test "$1" --arg tool "$2" --arg tr "$3" --argjson bytes "$4" --argjson ops "$5" \
    --argjson wall "$6" --argjson cpu "$7" --argjson rss "$8" --argjson extra "$extra" \
    '{test: $test, tool: $tool, transport: $tr, bytes: $bytes, ops: $ops, wall_s: $wall, cpu_s: $cpu, rss_mib: $rss} + $extra')
  echo "$j" | tee -a "$runs"
}
timed() { /usr/bin/time -o "$tm" -f '%e %U %S %M' "$@" >"$out" 2>"$tmp/err"; }
t_wall() { tail -1 "$tm" | awk '{print $1}'; }
t_cpu() { tail -1 "$tm" | awk '{printf "%.3f", $2 + $3}'; }
t_rss() { tail -1 "$tm" | awk '{printf "%.1f", $4 / 1024}'; }
die_run() { echo "$1 failed:" >&2; cat "$out" "$tmp/err" >&2; exit 1; }

ossio_run() { # test transport args...
  local test=$1 tr=$2
  shift 2
  timed "$ossio" --json -q "$@" || die_run "ossio $*"
  jq -e '.errors == 0' "$out" >/dev/null || die_run "ossio $*"
  emit "$test" "$(jq -r '"ossio " + .workload + (if .object != null and .size > 0 then " ranged" else "" end)' "$out")" "$tr" \
    "$(jq .bytes "$out")" "$(jq .ops "$out")" "$(jq .seconds "$out")" "$(jq .cpu_s "$out")" "$(jq .peak_rss_mib "$out")" \
    "$(jq -c --argjson c "$(t_cpu)" '{time_cpu_s: $c, protocol, connections_opened, source_mib}' "$out")"
}
h2load_run() { # test transport n url args...
  local test=$1 tr=$2 n=$3 url=$4
  shift 4
  timed h2load -n"$n" "$@" "$url" || die_run h2load
  local fin ok bytes
  # h2load prints "finished in 1.19s", "…830.12ms" or "…950.5us".
  # (set -o pipefail: a grep that finds nothing must not end the script silently)
  fin=$({ grep -oE 'finished in [0-9.]+(us|ms|s)' "$out" || true; } | awk '{v=$3; d=1;
    if (v ~ /us$/) d=1e6; else if (v ~ /ms$/) d=1000; sub(/[um]?s$/,"",v); printf "%.6f", v/d}')
  [[ -n $fin ]] || die_run "h2load (no 'finished in' line)"
  ok=$({ grep -oE 'status codes: [0-9]+ 2xx' "$out" || true; } | awk '{print $3}')
  bytes=$({ grep -oE '\(([0-9]+)\) data' "$out" || true; } | tr -dc 0-9)
  [[ $ok == "$n" ]] || die_run "h2load ($ok of $n 2xx)"
  emit "$test" h2load "$tr" "$bytes" "$n" "$fin" "$(t_cpu)" "$(t_rss)"
}
curl_run() { # test tool transport want_bytes ops curl-args...
  local test=$1 tool=$2 tr=$3 want=$4 ops=$5
  shift 5
  timed curl "$@" || die_run curl
  local got
  got=$(awk '$1 ~ /^2/ {s += $2} END {printf "%d", s}' "$out")
  [[ $got == "$want" ]] || die_run "curl: $got bytes, want $want"
  emit "$test" "$tool" "$tr" "$got" "$ops" "$(t_wall)" "$(t_cpu)" "$(t_rss)"
}
rclone_run() { # test transport bytes ops rclone-args...
  local test=$1 tr=$2 bytes=$3 ops=$4
  shift 4
  timed rclone "${rc_flags[@]}" "$@" || die_run "rclone $*"
  emit "$test" rclone "$tr" "$bytes" "$ops" "$(t_wall)" "$(t_cpu)" "$(t_rss)"
}

runs_table() {
  node - "$runs" "${1:-^$}" <<'JS'
'use strict';
const runs = require('fs').readFileSync(process.argv[2], 'utf8').trim().split('\n').map(JSON.parse)
  .filter((r) => !new RegExp(process.argv[3]).test(r.test));
const med = (v) => { v = [...v].sort((a, b) => a - b); const n = v.length;
  return n % 2 ? v[(n - 1) / 2] : (v[n / 2 - 1] + v[n / 2]) / 2; };
const groups = new Map();
for (const r of runs) {
  const k = `${r.test}|${r.tool}|${r.transport}`;
  if (!groups.has(k)) groups.set(k, []);
  groups.get(k).push(r);
}
console.log('| test | tool | transport | GB/s median (range) | ops/s median | CPU s/GiB | peak RSS MiB | runs |');
console.log('|---|---|---|---:|---:|---:|---:|---:|');
for (const [k, rs] of groups) {
  const [test, tool, tr] = k.split('|');
  const g = rs.map((r) => r.bytes / r.wall_s / 1e9);
  const ops = med(rs.map((r) => r.ops / r.wall_s));
  const gib = rs[0].bytes / 2 ** 30;
  const cpu = gib > 0 ? med(rs.map((r) => r.cpu_s / gib)).toFixed(3) : '';
  const rss = Math.max(...rs.map((r) => r.rss_mib)).toFixed(1);
  const gb = rs[0].bytes ? `${med(g).toFixed(3)} (${Math.min(...g).toFixed(3)}–${Math.max(...g).toFixed(3)})` : '';
  console.log(`| ${test} | ${tool} | ${tr} | ${gb} | ${ops.toFixed(ops < 100 ? 2 : 0)} | ${cpu} | ${rss} | ${rs.length} |`);
}
JS
}
