#!/usr/bin/env bash
# ossio-mpi bench get on 1, 2 and 4 ranks against `ossio bench get` (one
# process, no MPI) and h2load, in one run: COUNT ranged GETs of PART bytes
# walking a SIZE-byte file served by the local endpoint's nginx over
# h2+TLS, CONC requests in flight in all (each of N ranks: CONC / N, on its
# own h2 connection; ossio: one connection, CONC streams; h2load: -c1 -mCONC).
#
# On one 2-core machine over loopback this measures the harness (what MPI
# start-up, N processes and N connections cost), not scale-out: the ranks
# share the cores with each other and with nginx.
#
# Each round runs every case once; the order is rotated by one case per
# round and reversed every other round. Per run: the wall time of the whole
# command (mpirun's start-up and MPI_Init included) and, for ossio and
# ossio-mpi, their own --json figures: GB/s over the measured phase (bytes
# of all ranks / the slowest rank's seconds, the ranks started together
# after a barrier), client CPU s/GiB of all ranks over that phase, and the
# merged latency percentiles. CPU = user+sys of the command and its
# children (/usr/bin/time: mpirun reaps its local ranks). Load: /proc/loadavg
# at the start, the end, and before every case. A benchmark, never a test:
# it exits non-zero only when a tool fails or moved the wrong byte count.
#
#   bash bench/mpi-compare.sh
#   env: ROUNDS=5 SIZE=1073741824 PART=8388608 COUNT=256 CONC=16 RANKS="1 2 4"
#        ENDPOINT_STATE=DIR
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
rounds=${ROUNDS:-5}
size=${SIZE:-1073741824}
part=${PART:-8388608}
count=${COUNT:-256}
conc=${CONC:-16}
ranks=${RANKS:-1 2 4}
build=$root/build/bench

while IFS= read -r v; do unset "$v"; done < <(env | sed -n 's/^\(AWS_[A-Za-z0-9_]*\)=.*/\1/p')
unset OSS_ENDPOINT OSS_REGION OSS_SESSION_TOKEN FLINK_CONF_DIR HADOOP_CONF_DIR
[[ -x /usr/bin/time ]] || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time >/dev/null
command -v h2load >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nghttp2-client >/dev/null
command -v mpirun >/dev/null || { echo "no mpirun: ./dev deps installs Open MPI" >&2; exit 1; }

# shellcheck source=bench/lib.sh
. "$root/bench/lib.sh"
bench_build ossio_cli ossio_mpi ossio_example_version
ossio=$build/cli/ossio
ossio_mpi=$build/mpi/ossio-mpi
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
date_start=$(date -u '+%Y-%m-%d %H:%M:%S UTC')

echo "starting the endpoint (nginx file big.bin, $size bytes) ..." >&2
bench_endpoint --nginx-file "big.bin:$size"
json=$state/endpoint.json
jq_ep() { jq -r "$1" "$json"; }
ca=$(jq_ep .ca_file)
bucket=$(jq_ep .bucket)
www=$(jq_ep .nginx_root)
p_tls=$(jq_ep .ports.nginx_tls)
export OSS_ACCESS_KEY_ID=bench OSS_ACCESS_KEY_SECRET=bench-secret-not-checked-by-nginx
src=$www/$bucket/big.bin
mkdir -p "$www/$bucket"
ln -f "$www/big.bin" "$src"
cat "$src" >/dev/null # the page cache: nginx serves every run from memory

E=(--endpoint "https://localhost:$p_tls" -D fs.oss.path.style.access=true -D "fs.oss.connection.ca.file=$ca")
uri=oss://$bucket/big.bin
mpirun_args=(--oversubscribe)
[[ $(id -u) != 0 ]] || mpirun_args+=(--allow-run-as-root)
export OMPI_MCA_btl_vader_single_copy_mechanism=none
want=$((count * part))

runs=$tmp/runs.jsonl
: >"$runs"
tm=$tmp/time.out
out=$tmp/out
err=$tmp/err
die_run() { echo "$1 failed:" >&2; cat "$out" "$err" >&2; exit 1; }

run_case() { # round tool [ranks]
  local round=$1 tool=$2 n=${3:-0} load t0 t1 cmd
  load=$(cut -d' ' -f1 /proc/loadavg)
  case $tool in
    ossio) cmd=("$ossio" "${E[@]}" --json bench get --size "$part" -n "$count" -c "$conc" "$uri") ;;
    mpi) cmd=(mpirun "${mpirun_args[@]}" -n "$n" "$ossio_mpi" "${E[@]}" --json bench get --size "$part"
              -n "$count" -c "$((conc / n))" "$uri") ;;
    h2load) cmd=(h2load -n"$count" -c1 -m"$conc" -H "range: bytes=0-$((part - 1))"
                 "https://localhost:$p_tls/$bucket/big.bin") ;;
  esac
  t0=$(date +%s%N)
  /usr/bin/time -o "$tm" -f '%e %U %S %M' "${cmd[@]}" >"$out" 2>"$err" || die_run "$tool $n"
  t1=$(date +%s%N)
  local e u s m name rep='null'
  read -r e u s m < <(tail -1 "$tm")
  e=$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.3f", (b - a) / 1e9}')
  if [[ $tool == h2load ]]; then
    name=h2load
    grep -q "succeeded, 0 failed" "$out" || die_run h2load
    [[ $(awk '/^status codes:/ {print $3}' "$out") == "$count" ]] || die_run "h2load (not $count 2xx)"
  else
    name=$([[ $tool == ossio ]] && echo "ossio bench" || echo "ossio-mpi -n $n")
    jq -e ".bytes == $want and .errors == 0" "$out" >/dev/null || die_run "$name"
    rep=$(jq -c '{gbps, seconds, cpu_s_per_gib, ranks, p50: .kinds.get.latency_ms.p50,
                  p99: .kinds.get.latency_ms.p99, connections: .connections_opened}' "$out")
  fi
  jq -cn --argjson round "$round" --arg tool "$name" --argjson bytes "$want" --argjson wall "$e" \
    --argjson cpu "$(awk -v u="$u" -v s="$s" 'BEGIN{printf "%.2f", u+s}')" --argjson load "$load" \
    --argjson rep "$rep" \
    '{round: $round, tool: $tool, bytes: $bytes, wall_s: $wall, cpu_s: $cpu, load1: $load, report: $rep}' | tee -a "$runs"
}

cases=("ossio" "h2load")
for n in $ranks; do cases+=("mpi $n"); done
n=${#cases[@]}
for ((round = 1; round <= rounds; round++)); do
  echo "round $round of $rounds (load $(cut -d' ' -f1-3 /proc/loadavg))" >&2
  order=()
  for ((i = 0; i < n; i++)); do order+=("${cases[(i + round - 1) % n]}"); done
  # shellcheck disable=SC2086 # a case is words
  if ((round % 2 == 0)); then
    for ((i = n - 1; i >= 0; i--)); do run_case "$round" ${order[i]}; done
  else
    for ((i = 0; i < n; i++)); do run_case "$round" ${order[i]}; done
  fi
done
echo

echo "date:    $date_start to $(date -u '+%H:%M:%S UTC')"
echo "machine: $(nproc) cores, $(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), kernel $(uname -r)"
echo "load:    $load_start at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end (1, 5, 15 min)"
echo "ossio:   $("$build/examples/version" | head -1 | cut -d' ' -f2); $(mpirun --version | head -1); $(h2load --version | head -1); nginx $(nginx -v 2>&1 | sed 's/^nginx version: //')"
echo "run:     $count ranged GETs of $part bytes, $conc in flight in all, h2+TLS, ROUNDS=$rounds"
echo
jq -rs '
  def med: sort | if length % 2 == 1 then .[length / 2 | floor] else (.[length / 2 - 1] + .[length / 2]) / 2 end;
  def r(x): (x * 1000 | round) / 1000;
  def span(f): (map(f) | "\(r(med)) (\(r(min))–\(r(max)))");
  "| tool | GB/s, wall (median, min–max) | GB/s, measured phase | CPU s/GiB, process tree | p50 ms | p99 ms | load (1 min) |",
  "|---|---:|---:|---:|---:|---:|---:|",
  (group_by(.tool) | sort_by(.[0].tool)[] |
   "| \(.[0].tool) | \(span(.bytes / .wall_s / 1e9)) | " +
   (if .[0].report then span(.report.gbps) else "–" end) + " | " +
   "\(span(.cpu_s / (.bytes / 1073741824))) | " +
   (if .[0].report then "\(span(.report.p50)) | \(span(.report.p99))" else "– | –" end) +
   " | \(span(.load1)) |")
' "$runs"
