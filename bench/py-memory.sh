#!/usr/bin/env bash
# Reading a whole object into memory from Python (issue 17.1: "1 GiB into
# bytes holds no more than 1 GiB plus the memory budget"): Client.get_bytes,
# get_into (a buffer allocated before the timing: the transfer alone),
# open().read() and open().readinto(bytearray), each in a fresh process
# (bench/py_memory.py), side by side with the C program streaming the same
# object to /dev/null (`ossio cat`), ROUNDS rotated rounds. Peak RSS above
# the process's resident set before the read, minus the object's size, is
# what a reader holds beyond the data itself. The object is a SIZE-byte
# (1 GiB) file served by the local endpoint's nginx over h2 + TLS (path
# style: oss://<bucket>/mem.bin is the file <root>/<bucket>/mem.bin); every
# read is checked against the file's CRC-32.
#
#   bash bench/py-memory.sh
#   env: SIZE=1073741824 ROUNDS=5 MEMORY_LIMIT=256M ENDPOINT_STATE=DIR
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
size=${SIZE:-1073741824}
rounds=${ROUNDS:-5}
limit=${MEMORY_LIMIT:-256M}
build=$root/build/bench
py=/usr/bin/python3

[[ -x /usr/bin/time ]] || apt-get install -y time >/dev/null
# shellcheck source=bench/lib.sh
. "$root/bench/lib.sh"
bench_build ossio_cli ossio_python ossio_example_version
ossio=$build/cli/ossio
bench_endpoint
json=$state/endpoint.json
port=$(node -p "require('$json').ports.nginx_tls")
ca=$(node -p "require('$json').ca_file")
www=$(node -p "require('$json').nginx_root")
bucket=$(node -p "require('$json').bucket")
mkdir -p "$www/$bucket"
obj=$www/$bucket/mem.bin
head -c "$size" /dev/urandom >"$obj"
crc=$($py -c "import zlib,sys; print(zlib.crc32(open(sys.argv[1],'rb').read()))" "$obj")
trap 'rm -f "$obj"; bench_cleanup' EXIT

unset OSS_ENDPOINT OSS_SESSION_TOKEN FLINK_CONF_DIR HADOOP_CONF_DIR
export OSS_ACCESS_KEY_ID=bench OSS_ACCESS_KEY_SECRET=bench-secret-not-checked-by-nginx
export PYTHONPATH=$build/python
kv=("fs.oss.endpoint=https://localhost:$port" fs.oss.path.style.access=true
    "fs.oss.connection.ca.file=$ca" "fs.oss.memory.limit=$limit")
uri=oss://$bucket/mem.bin

echo "date:    $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
echo "machine: $(nproc) cores, $(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), kernel $(uname -r)"
echo "ossio:   $("$build/examples/version" | head -1); python $($py -c 'import sys; print(sys.version.split()[0])')"
echo "object:  $size bytes from nginx over h2 + TLS; fs.oss.memory.limit=$limit; $rounds rotated rounds"
echo "load:    $(cut -d' ' -f1-3 /proc/loadavg) (start)"
echo

kinds=(get_bytes get_into readinto read "ossio cat")
runs=$tmp/runs.tsv
: >"$runs"
for ((r = 0; r < rounds; r++)); do
  for ((k = 0; k < ${#kinds[@]}; k++)); do
    kind=${kinds[(k + r) % ${#kinds[@]}]}
    if [[ $kind == "ossio cat" ]]; then
      dd=()
      for d in "${kv[@]}"; do dd+=(-D "$d"); done
      /usr/bin/time -o "$tmp/tm" -f '%e %M' "$ossio" "${dd[@]}" cat "$uri" >/dev/null
      read -r e m <"$tmp/tm"
      line=$(printf '{"how":"ossio cat","seconds":%s,"rss_peak_kib":%s,"rss_before_kib":0,"over_size_mib":null,"ok":true}' "$e" "$m")
    else
      line=$($py "$root/bench/py_memory.py" "$kind" "$uri" "$crc" "${kv[@]}")
    fi
    echo "$line"
    jq -e .ok <<<"$line" >/dev/null || { echo "WRONG BYTES: $kind" >&2; exit 1; }
    jq -r '[.how, .seconds, .rss_peak_kib, .rss_before_kib, (.over_size_mib // "")] | @tsv' <<<"$line" >>"$runs"
  done
done
echo
echo "load:    $(cut -d' ' -f1-3 /proc/loadavg) (end)"
echo

awk -F'\t' -v size="$size" '
  { n[$1]++; s[$1, n[$1]] = $2; p[$1, n[$1]] = $3; o[$1, n[$1]] = $5;
    if (!($1 in seen)) { seen[$1] = 1; order[++k] = $1 } }
  function sorted(a, name, cnt, v,   i, j, t) { for (i = 1; i <= cnt; i++) v[i] = a[name, i];
    for (i = 1; i <= cnt; i++) for (j = i + 1; j <= cnt; j++) if (v[j] + 0 < v[i] + 0) { t = v[i]; v[i] = v[j]; v[j] = t } }
  function med(v, cnt) { return cnt % 2 ? v[(cnt + 1) / 2] : (v[cnt / 2] + v[cnt / 2 + 1]) / 2 }
  END {
    print "| reader | MB/s, median (range) | peak RSS MiB, median (range) | beyond the data MiB, median (range) |"
    print "|---|---:|---:|---:|"
    for (i = 1; i <= k; i++) { t = order[i]; cnt = n[t];
      sorted(s, t, cnt, vs); sorted(p, t, cnt, vp); sorted(o, t, cnt, vo);
      beyond = vo[1] == "" ? "–" : sprintf("%.0f (%.0f–%.0f)", med(vo, cnt), vo[1], vo[cnt]);
      printf "| %s | %.0f (%.0f–%.0f) | %.0f (%.0f–%.0f) | %s |\n", t,
        size / med(vs, cnt) / 1e6, size / vs[cnt] / 1e6, size / vs[1] / 1e6,
        med(vp, cnt) / 1024, vp[1] / 1024, vp[cnt] / 1024, beyond }
  }' "$runs"
