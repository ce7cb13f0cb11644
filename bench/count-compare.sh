#!/usr/bin/env bash
# Flink's readTextFile, measured (issue #7): counting the lines of a text
# object with `ossio count -p P` (P parallel splits, FileInputFormat's
# planning, each record once) against a plain parallel download of the same
# object (`ossio bench get -n 1`: one whole-object transfer, 8 MiB ranged
# GETs, 16 in flight, bytes dropped), against `ossio cat … | wc -l` (the
# same download delivered in order through a pipe) and against
# `curl … | wc -l` (one stream), in one run, alternating, on the local
# endpoint's nginx over h2 + TLS.
#
# The object: SIZE bytes of base64 text (76-byte lines) written into nginx's
# root as <bucket>/lines.txt, so the path-style URL oss://<bucket>/lines.txt
# resolves to it (nginx serves HEAD, ranged GET and If-Match; it ignores the
# signature). The file is read once first so every tool reads from the page
# cache. fs.oss.block.size is set to SIZE / P so the plan has P splits.
#
# Throughput: object bytes / wall time of the whole process (GB/s = 1e9 B/s).
# CPU s/GiB: user+sys of the process tree (/usr/bin/time). Peak RSS: %M
# (for curl | wc, the larger of the two is not separable: the pipeline's
# shell reports its largest child). Every count is checked against wc -l.
#
#   bash bench/count-compare.sh
#   env: SIZE=2147483648 ROUNDS=3 SPLITS="16 64" ENDPOINT_STATE=DIR
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
size=${SIZE:-2147483648}
rounds=${ROUNDS:-3}
splits=${SPLITS:-16 64}
build=$root/build/bench

[[ -x /usr/bin/time ]] || apt-get install -y time >/dev/null
# shellcheck source=bench/lib.sh
. "$root/bench/lib.sh"
bench_build ossio_cli ossio_example_version
ossio=$build/cli/ossio
bench_endpoint
json=$state/endpoint.json
port=$(node -p "require('$json').ports.nginx_tls")
ca=$(node -p "require('$json').ca_file")
www=$(node -p "require('$json').nginx_root")
bucket=$(node -p "require('$json').bucket")
mkdir -p "$www/$bucket"
obj=$www/$bucket/lines.txt
if [[ ! -f $obj || $(stat -c %s "$obj") != "$size" ]]; then
  echo "writing $size bytes of text to $obj ..." >&2
  head -c "$size" < <(base64 -w 76 /dev/urandom) >"$obj"
fi
want=$(wc -l <"$obj") # newlines, what wc -l counts
records=$want           # records, what readTextFile counts: a last line without "\n" is one too
[[ $(tail -c1 "$obj" | wc -l) == 1 ]] || records=$((want + 1))

unset OSS_ENDPOINT OSS_SESSION_TOKEN FLINK_CONF_DIR HADOOP_CONF_DIR
export OSS_ACCESS_KEY_ID=bench OSS_ACCESS_KEY_SECRET=bench-secret-not-checked-by-nginx
E=(--endpoint "https://localhost:$port" -D fs.oss.path.style.access=true -D "fs.oss.connection.ca.file=$ca")
uri=oss://$bucket/lines.txt

echo "date:    $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
echo "machine: $(nproc) cores, $(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), kernel $(uname -r)"
echo "ossio:   $("$build/examples/version" | head -1)"
echo "curl:    $(curl --version | head -1 | cut -d' ' -f1-2), nginx $(nginx -v 2>&1 | sed 's/^nginx version: nginx\///')"
echo "object:  $size bytes, $records records ($want newlines), nginx h2 + TLS; $rounds alternating rounds"
echo

runs=$tmp/runs.tsv
: >"$runs"
measure() { # name cmd... → appends "name wall cpu rss_kib result"
  local name=$1
  shift
  local tm=$tmp/time.out out=$tmp/out
  /usr/bin/time -o "$tm" -f '%e %U %S %M' bash -c "$*" >"$out"
  local e u s m
  read -r e u s m < <(tail -1 "$tm")
  local got
  got=$(tail -1 "$out" | awk '{print $1}')
  printf '%s\t%s\t%s\t%s\t%s\n' "$name" "$e" "$(awk -v u="$u" -v s="$s" 'BEGIN{print u+s}')" "$m" "$got" >>"$runs"
  printf '%-22s %6.2f s  cpu %6.2f s  rss %6d KiB  -> %s\n' "$name" "$e" "$(awk -v u="$u" -v s="$s" 'BEGIN{print u+s}')" "$m" "$got"
}

cat "$obj" >/dev/null
for ((r = 1; r <= rounds; r++)); do
  for p in $splits; do
    bs=$(((size + p - 1) / p))
    measure "ossio count -p $p" "'$ossio' ${E[*]} -D fs.oss.block.size=$bs count -p $p $uri"
  done
  measure "ossio download" "'$ossio' ${E[*]} --json bench get -n 1 $uri | jq .bytes"
  measure "ossio cat, wc -l" "'$ossio' ${E[*]} cat $uri | wc -l"
  measure "curl, wc -l" "curl -s --http2 --cacert '$ca' https://localhost:$port/$bucket/lines.txt | wc -l"
done
echo

awk -F'\t' -v size="$size" -v want="$want" -v records="$records" '
  { n[$1]++; w[$1, n[$1]] = $2; c[$1, n[$1]] = $3; if ($4 > rss[$1]) rss[$1] = $4;
    if ($1 ~ /count/ && $5 != records) bad = bad "\n" $1 " counted " $5 " (want " records ")";
    if ($1 ~ /wc -l/ && $5 != want) bad = bad "\n" $1 " counted " $5 " (want " want ")";
    if ($1 ~ /download/ && $5 != size) bad = bad "\n" $1 " read " $5 " bytes (want " size ")";
    if (!($1 in seen)) { seen[$1] = 1; order[++k] = $1 } }
  function med(a, name, cnt,   i, j, t, v) { for (i = 1; i <= cnt; i++) v[i] = a[name, i];
    for (i = 1; i <= cnt; i++) for (j = i + 1; j <= cnt; j++) if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
    return cnt % 2 ? v[(cnt + 1) / 2] : (v[cnt / 2] + v[cnt / 2 + 1]) / 2 }
  END {
    if (bad != "") { print "WRONG RESULT:" bad > "/dev/stderr"; exit 1 }
    print "| tool | GB/s (median) | CPU s/GiB (median) | peak RSS MiB |"
    print "|---|---:|---:|---:|"
    for (i = 1; i <= k; i++) { t = order[i]; mw = med(w, t, n[t]); mc = med(c, t, n[t]);
      printf "| %s | %.3f | %.3f | %.1f |\n", t, size / mw / 1e9, mc / (size / 2^30), rss[t] / 1024 }
  }' "$runs"
