#!/usr/bin/env bash
# Soak: one ossio process repeats the same work for DURATION seconds while
# this script samples its memory and descriptors; a leak shows as a slope.
#
#   nice -n 19 bash bench/soak.sh nginx store     # both, one after the other (~62 min)
#   DURATION=120 bash bench/soak.sh store         # a short look
#   bash bench/soak.sh --summarize docs/img/soak-*.csv   # the figures of earlier runs
#
# Cases (ossio bench mixed, release build in build/bench, the local endpoint):
#   nginx  GETs and PUTs 1:1 of 1 MiB objects from/to nginx over h2+TLS
#          (nginx's dav module takes the PUTs, tests/endpoint/lib/proxies.js);
#          PUTs overwrite KEYS keys (--keys), so the disk use stays bounded.
#   store  GETs, PUTs and full listings 2:1:1 through the store (nghttpx
#          h2+TLS -> the OSS front -> s3rver): 300 KiB objects in 100 KiB
#          parts, so every GET is a 3-part download and every PUT a 3-part
#          multipart upload; listings of 10 keys a page (4 pages each).
# Every INTERVAL s: VmRSS (/proc/PID/status), open descriptors
# (/proc/PID/fd), the 1-minute load average, into OUT/soak-CASE.csv
# (t_s,rss_kib,fds,load1). Then per case one markdown row: RSS and fds at
# start (the first sample), median, end (the last), max; the RSS medians of
# the second and the last quarter (the one-minute test's criterion); the
# least-squares slope after WARMUP s (per hour); ossio's ops and errors; the
# load at start and end. gnuplot draws OUT/soak-CASE.svg.
#
# env: DURATION=1800 INTERVAL=10 WARMUP=60 KEYS=64 CONC=16
#      OUT=docs/img  ENDPOINT_STATE=DIR (a running endpoint; else one is started)
# A benchmark, never a test: it exits non-zero only when ossio fails.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
duration=${DURATION:-1800}
interval=${INTERVAL:-10}
warmup=${WARMUP:-60}
keys=${KEYS:-64}
conc=${CONC:-16}
out_dir=${OUT:-$root/docs/img}
build=$root/build/bench
# start median end max of column COL (1-based) of CSV, and the slope of the
# column over t >= WARMUP (units per hour).
stats() { # csv col
  tail -n +2 "$1" | cut -d, -f"$2" | sort -n | awk '{v[NR]=$1} END {printf "%s ", (NR%2 ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2)}'
  tail -n +2 "$1" | awk -F, -v c="$2" -v w="$warmup" '
    NR == 1 {first = $c} {last = $c; if ($c > max) max = $c}
    $1 >= w {n++; sx += $1; sy += $c; sxx += $1 * $1; sxy += $1 * $c}
    END {slope = (n > 1 && n * sxx != sx * sx) ? (n * sxy - sx * sy) / (n * sxx - sx * sx) * 3600 : 0
         printf "%s %s %s %.1f\n", first, last, max, slope}'
}

# The medians of column COL in the second and in the last quarter of the
# run (the first is warm-up), as tests/cli/soak_test.sh compares them.
quarters() { # csv col
  local end
  end=$(tail -n 1 "$1" | cut -d, -f1)
  for w in "0.25 0.5" "0.75 2"; do
    read -r a b <<<"$w"
    tail -n +2 "$1" | awk -F, -v c="$2" -v a="$a" -v b="$b" -v e="$end" '$1 >= a * e && $1 < b * e {print $c}' |
      sort -n | awk '{v[NR]=$1} END {printf "%s ", (NR%2 ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2)}'
  done
  echo
}

mib() { echo "scale=1; $1 / 1024" | bc; }

# The columns a CSV gives (also for a CSV from an earlier run: --summarize).
csv_columns() { # csv
  local rmed rfirst rlast rmax rslope fmed ffirst flast fmax fslope rq2 rq4
  read -r rmed rfirst rlast rmax rslope < <(stats "$1" 2)
  read -r fmed ffirst flast fmax fslope < <(stats "$1" 3)
  read -r rq2 rq4 < <(quarters "$1" 2)
  echo "$(mib "$rfirst") / $(mib "$rmed") / $(mib "$rlast") / $(mib "$rmax") | $(mib "$rq2") → $(mib "$rq4") | $(mib "$rslope") | $ffirst / $fmed / $flast / $fmax | $fslope"
}
csv_header="RSS MiB start / median / end / max | RSS median, 2nd → last quarter (MiB) | RSS slope after ${warmup} s (MiB/h) | fds start / median / end / max | fd slope (/h)"

if [[ ${1:-} == --summarize ]]; then # CSV...: the table's CSV columns again
  shift
  echo "| csv | $csv_header |"
  echo "|---|---|---|---|---|---|"
  for f in "$@"; do echo "| $(basename "$f") | $(csv_columns "$f") |"; done
  exit 0
fi
cases=("$@")
((${#cases[@]})) || cases=(nginx store)
for c in "${cases[@]}"; do
  [[ $c == nginx || $c == store ]] || { echo "usage: soak.sh [nginx] [store]" >&2; exit 2; }
done
command -v gnuplot >/dev/null || { echo "soak.sh needs gnuplot (gnuplot-nox)" >&2; exit 1; }
while IFS= read -r v; do unset "$v"; done < <(env | sed -n 's/^\(AWS_[A-Za-z0-9_]*\)=.*/\1/p')
unset OSS_ENDPOINT OSS_REGION OSS_SESSION_TOKEN FLINK_CONF_DIR HADOOP_CONF_DIR

# shellcheck source=bench/lib.sh
. "$root/bench/lib.sh"
bench_build ossio_cli
ossio=$build/cli/ossio
bench_endpoint --max-lifetime $((${#cases[@]} * (duration + 600) + 600))
json=$state/endpoint.json
jq_ep() { jq -r "$1" "$json"; }
ca=$(jq_ep .ca_file)
bucket=$(jq_ep .bucket)
export OSS_ACCESS_KEY_ID OSS_ACCESS_KEY_SECRET
OSS_ACCESS_KEY_ID=$(jq_ep .credentials.access_key_id)
OSS_ACCESS_KEY_SECRET=$(jq_ep .credentials.access_key_secret)
mkdir -p "$out_dir"

soak_args() { # case -> the ossio command line in $args
  case $1 in
    nginx)
      args=(--endpoint "https://localhost:$(jq_ep .ports.nginx_tls)" -D fs.oss.path.style.access=true
            -D "fs.oss.connection.ca.file=$ca" --json -q
            bench mixed --duration "$duration" -c "$conc" --size 1M --keys "$keys" --objects "$conc"
            --prefix "soak-$$" --keep "oss://soak") ;;  # nginx cannot list: the files go below
    store)
      args=(--endpoint "https://localhost:$(jq_ep .ports.h2_tls)" -D fs.oss.path.style.access=true
            -D "fs.oss.connection.ca.file=$ca" -D fs.oss.paging.maximum=10 --json -q
            bench mixed --duration "$duration" -c "$conc" --ratio 2:1:1 --size 300k --part-size 100k
            --keys "$conc" --objects "$conc" --prefix "soak-$$" "oss://$bucket") ;;
  esac
}

# Samples PID every $interval s into CSV until it exits.
sample() { # pid csv
  local pid=$1 csv=$2 t0 rss fds
  t0=$(date +%s.%N)
  echo "t_s,rss_kib,fds,load1" >"$csv"
  while kill -0 "$pid" 2>/dev/null; do
    rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null || true)
    fds=$(ls "/proc/$pid/fd" 2>/dev/null | wc -l)
    [[ -n $rss ]] || break # a zombie: it has exited
    printf '%.1f,%s,%s,%s\n' "$(echo "$(date +%s.%N) - $t0" | bc)" "$rss" "$fds" \
      "$(cut -d' ' -f1 /proc/loadavg)" >>"$csv"
    sleep "$interval"
  done
}

plot() { # case csv svg rss_max_kib fds_max
  gnuplot <<EOF
set terminal svg size 800,420 dynamic font "sans,11"
set output "$3"
set datafile separator ","
set key bottom right
set title "ossio bench mixed, $1: one process for ${duration} s (sampled every ${interval} s)"
set xlabel "minutes"
set ylabel "RSS (MiB)"
set y2label "open descriptors"
set yrange [0:$(($4 * 3 / 2 / 1024 + 1))]
set y2range [0:$(($5 * 2 + 2))]
set ytics nomirror
set y2tics
set grid
plot "$2" every ::1 using (\$1/60):(\$2/1024) with linespoints pt 7 ps 0.4 lw 2 title "RSS (MiB)", \
     "$2" every ::1 using (\$1/60):3 axes x1y2 with steps lw 2 title "open descriptors"
EOF
}

rows=()
for c in "${cases[@]}"; do
  soak_args "$c"
  csv=$out_dir/soak-$c.csv
  res=$tmp/soak-$c.json
  load0=$(cut -d' ' -f1-3 /proc/loadavg)
  echo "soak $c: ${duration} s, samples every ${interval} s into $csv" >&2
  "$ossio" "${args[@]}" >"$res" 2>"$tmp/err" &
  pid=$!
  sample "$pid" "$csv"
  rc=0
  wait "$pid" || rc=$?
  load1=$(cut -d' ' -f1-3 /proc/loadavg)
  [[ $c != nginx ]] || rm -rf "$(jq_ep .nginx_root)/soak"
  if ((rc != 0)); then
    echo "ossio ${args[*]} exited $rc:" >&2
    head -c 2000 "$tmp/err" >&2
    exit 1
  fi
  read -r _ _ _ rmax _ < <(stats "$csv" 2)
  read -r _ _ _ fmax _ < <(stats "$csv" 3)
  plot "$c" "$csv" "$out_dir/soak-$c.svg" "$rmax" "$fmax"
  summary=$(jq -c '{seconds, ops, errors, bytes, retries, peak_rss_mib, connections_opened,
                    get: .kinds.get.ops, put: .kinds.put.ops, list: (.kinds.list.ops // 0), list_entries}' "$res")
  echo "$c: $summary" >&2
  rows+=("| $c | $(jq -r '.seconds | floor' "$res") s | $(jq -r '"\(.ops) (\(.kinds.get.ops) get, \(.kinds.put.ops) put, \(.kinds.list.ops // 0) list), \(.errors) errors"' "$res") | $(csv_columns "$csv") | $load0 → $load1 |")
done

echo
echo "machine: $(nproc) cores, $(uname -r); ossio: $("$ossio" version | head -1)"
echo
echo "| case | duration | operations | $csv_header | load average start → end |"
echo "|---|---|---|---|---|---|---|---|---|"
printf '%s\n' "${rows[@]}"
