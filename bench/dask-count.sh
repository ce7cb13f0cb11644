#!/usr/bin/env bash
# Flink's readTextFile on Dask (issue 17.2), measured: counting the records
# of a multi-object prefix with examples/dask_count.py on a LocalCluster of
# 1, 2 and 4 worker processes (each split read through the Python binding
# on a worker), side by side with the same count by the C library alone
# (`ossio count -p P`, one process, one loop, P splits at once) and by the
# binding in one process without Dask (the splits read one after another),
# in one run, ROUNDS rotated rounds (the order shifts by one each round).
#
# Data: OBJECTS objects of OBJ_MIB MiB of base64 text (76-byte lines) under
# oss://<bucket>/dask-bench/, uploaded to the local endpoint's store (s3rver
# behind the OSS front) and read over TLS + h2 (nghttpx), since a prefix
# needs a listing (nginx serves files, not listings). PARALLELISM (16)
# splits. Every count is checked against wc -l of the generated files.
#
# Per run: wall of the whole process (for Dask: cluster start included) and
# the counting alone (Dask: from the first submit to the last result; the
# others print it), MB/s of the counting (1e6 B/s), CPU (user+sys of the
# process tree, /usr/bin/time: for Dask the workers are children of the
# nanny processes, all counted), peak RSS of the largest process (%M).
# The load average is printed at start and end: the machine is shared.
#
#   bash bench/dask-count.sh
#   env: OBJECTS=8 OBJ_MIB=32 PARALLELISM=16 ROUNDS=5 ENDPOINT_STATE=DIR
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
objects=${OBJECTS:-8}
obj_mib=${OBJ_MIB:-32}
par=${PARALLELISM:-16}
rounds=${ROUNDS:-5}
build=$root/build/bench
py=/usr/bin/python3

[[ -x /usr/bin/time ]] || apt-get install -y time >/dev/null
# shellcheck source=bench/lib.sh
. "$root/bench/lib.sh"
bench_build ossio_cli ossio_python ossio_example_version
ossio=$build/cli/ossio
bench_endpoint
json=$state/endpoint.json
port=$(node -p "require('$json').ports.h2_tls")
ca=$(node -p "require('$json').ca_file")
bucket=$(node -p "require('$json').bucket")
unset OSS_ENDPOINT OSS_SESSION_TOKEN FLINK_CONF_DIR HADOOP_CONF_DIR
unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_ENDPOINT_URL
OSS_ACCESS_KEY_ID=$(node -p "require('$json').credentials.access_key_id")
OSS_ACCESS_KEY_SECRET=$(node -p "require('$json').credentials.access_key_secret")
export OSS_ACCESS_KEY_ID OSS_ACCESS_KEY_SECRET
export PYTHONPATH=$build/python
D=(-D "fs.oss.endpoint=https://localhost:$port" -D fs.oss.path.style.access=true
   -D "fs.oss.connection.ca.file=$ca")
uri=oss://$bucket/dask-bench/

mkdir -p "$tmp/data"
for ((i = 0; i < objects; i++)); do
  head -c $((obj_mib << 20)) < <(base64 -w 76 /dev/urandom) | head -n -1 >"$tmp/data/part-$i"
done
want=$(cat "$tmp/data"/* | wc -l)
bytes=$(cat "$tmp/data"/* | wc -c)
"$ossio" "${D[@]}" -q rm -r "$uri" >/dev/null 2>&1 || true
"$ossio" "${D[@]}" -q cp -r "$tmp/data/" "$uri"
trap '"$ossio" "${D[@]}" -q rm -r "$uri" >/dev/null 2>&1 || true; bench_cleanup' EXIT

# The binding in one process: plan, then each split read in turn.
cat >"$tmp/seq.py" <<'EOF'
import json, sys, time, ossio
settings = dict(d.split("=", 1) for d in sys.argv[3:])
with ossio.Client(settings=settings) as c:
    t0 = time.monotonic()
    n = sum(1 for s in c.splits(sys.argv[1], int(sys.argv[2])) for _ in c.read_split(s))
    print(json.dumps({"records": n, "seconds": time.monotonic() - t0}))
EOF

echo "date:    $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
echo "machine: $(nproc) cores, $(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), kernel $(uname -r)"
echo "ossio:   $("$build/examples/version" | head -1); python $($py -c 'import sys; print(sys.version.split()[0])'), dask $($py -c 'import dask; print(dask.__version__)'), distributed $($py -c 'import distributed; print(distributed.__version__)')"
echo "data:    $objects objects, $bytes bytes, $want records; $par splits; store over h2 + TLS; $rounds rotated rounds"
echo "load:    $(cut -d' ' -f1-3 /proc/loadavg) (start)"
echo

kinds=("ossio count" "python, 1 process" "dask 1 worker" "dask 2 workers" "dask 4 workers")
runs=$tmp/runs.tsv
: >"$runs"
run_kind() { # kind -> appends "kind wall count_s cpu rss records"
  local kind=$1 out=$tmp/out tm=$tmp/time.out
  local -a kv=()
  for d in "${D[@]}"; do [[ $d == -D ]] || kv+=("$d"); done
  case $kind in
    "ossio count") /usr/bin/time -o "$tm" -f '%e %U %S %M' "$ossio" "${D[@]}" --json count -p "$par" "$uri" >"$out" ;;
    "python, 1 process") /usr/bin/time -o "$tm" -f '%e %U %S %M' $py "$tmp/seq.py" "$uri" "$par" "${kv[@]}" >"$out" ;;
    dask*)
      local w=${kind#dask }
      w=${w%% *}
      local -a dd=()
      for d in "${kv[@]}"; do dd+=(-D "$d"); done
      /usr/bin/time -o "$tm" -f '%e %U %S %M' $py "$root/examples/dask_count.py" -w "$w" -p "$par" --json \
        "${dd[@]}" "$uri" >"$out" 2>"$tmp/err" || { cat "$tmp/err" >&2; exit 1; }
      ;;
  esac
  local e u s m
  read -r e u s m < <(tail -1 "$tm")
  local rec secs
  rec=$(tail -1 "$out" | jq .records)
  secs=$(tail -1 "$out" | jq .seconds)
  [[ $rec == "$want" ]] || { echo "WRONG COUNT: $kind counted $rec, wc -l $want" >&2; exit 1; }
  printf '%s\t%s\t%s\t%s\t%s\n' "$kind" "$e" "$secs" "$(awk -v u="$u" -v s="$s" 'BEGIN{print u+s}')" "$m" >>"$runs"
  printf '%-20s wall %6.2f s  count %6.2f s  cpu %6.2f s  rss %7d KiB  records %s\n' "$kind" "$e" "$secs" \
    "$(awk -v u="$u" -v s="$s" 'BEGIN{print u+s}')" "$m" "$rec"
}

for ((r = 0; r < rounds; r++)); do
  for ((k = 0; k < ${#kinds[@]}; k++)); do
    run_kind "${kinds[(k + r) % ${#kinds[@]}]}"
  done
done
echo
echo "load:    $(cut -d' ' -f1-3 /proc/loadavg) (end)"
echo

awk -F'\t' -v bytes="$bytes" '
  { n[$1]++; w[$1, n[$1]] = $2; s[$1, n[$1]] = $3; c[$1, n[$1]] = $4; if ($5 > rss[$1]) rss[$1] = $5;
    if (!($1 in seen)) { seen[$1] = 1; order[++k] = $1 } }
  function sorted(a, name, cnt, v,   i, j, t) { for (i = 1; i <= cnt; i++) v[i] = a[name, i];
    for (i = 1; i <= cnt; i++) for (j = i + 1; j <= cnt; j++) if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t } }
  function med(v, cnt) { return cnt % 2 ? v[(cnt + 1) / 2] : (v[cnt / 2] + v[cnt / 2 + 1]) / 2 }
  END {
    print "| reader | count MB/s, median (range) | count s, median (range) | wall s, median | CPU s, median | peak RSS MiB |"
    print "|---|---:|---:|---:|---:|---:|"
    for (i = 1; i <= k; i++) { t = order[i]; cnt = n[t];
      sorted(s, t, cnt, vs); sorted(w, t, cnt, vw); sorted(c, t, cnt, vc);
      printf "| %s | %.0f (%.0f–%.0f) | %.2f (%.2f–%.2f) | %.2f | %.2f | %.0f |\n", t,
        bytes / med(vs, cnt) / 1e6, bytes / vs[cnt] / 1e6, bytes / vs[1] / 1e6,
        med(vs, cnt), vs[1], vs[cnt], med(vw, cnt), med(vc, cnt), rss[t] / 1024 }
  }' "$runs"
