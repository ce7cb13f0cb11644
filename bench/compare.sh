#!/usr/bin/env bash
# `ossio bench` side by side with h2load, curl and rclone, in one run, on the
# same local servers (tests/endpoint: nginx for files, nghttpx -> the OSS front
# -> s3rver for the store). Prints the machine, the versions and one markdown
# table; every run is also a JSON line on stderr-free stdout before it.
#
# Tests (each ROUNDS times, tools alternating within a round):
#   nginx-get  SIZE-byte file from nginx: h2+TLS, h2c and HTTP/1.1.
#              ossio bench get (whole object: a download transfer of PART parts,
#              CONC in flight; and ranged GETs of PART), h2load (ranged GETs of
#              PART, the same count, -c CONNS -m CONC/CONNS), curl (one stream,
#              and --parallel --parallel-max CONC ranged GETs).
#   store-up / store-down  SIZE bytes through the store: ossio bench put/get
#              (multipart / parallel parts) over nghttpx h2+TLS and over the
#              front's plain HTTP/1.1 port; curl -T / curl -o with presigned
#              URLs over nghttpx; rclone (s3 backend, AWS SigV4, path style)
#              over the plain HTTP/1.1 port.
#   small      SMALL_N objects of 64 KiB: PUT, GET, DELETE each. ossio bench
#              small vs rclone copy up, copy down, delete (each --transfers CONC).
#   get-64k    GETS x 64 KiB GETs, no HEAD: ossio bench get of a 64 KiB object
#              (whole GETs) vs h2load -n GETS and curl --parallel on nginx
#              h2+TLS; GETS_STORE of them, ossio vs h2load (a presigned URL),
#              on the store through nghttpx.
#
# Throughput = payload bytes / elapsed. Elapsed: ossio its measured phase
# (--json "seconds"), h2load its "finished in", curl and rclone the process
# (/usr/bin/time %e, startup included). CPU s/GiB and peak RSS: ossio its own
# getrusage over the measured phase (its --json; the process total is kept as
# time_cpu_s), the peers /usr/bin/time %U+%S and %M for the whole process.
# A benchmark, never a test: it exits non-zero only when a tool fails.
#
#   bash bench/compare.sh
#   env: ROUNDS=3 SIZE=1073741824 PART=8388608 CONC=16 CONNS=2 SMALL_N=500
#        GETS=10000 GETS_STORE=2000 BIG_SIZES="1073741824" (add 5368709120 for 5 GiB store runs)
#        TESTS="nginx-get store small get-64k"
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
rounds=${ROUNDS:-3}
size=${SIZE:-1073741824}
part=${PART:-8388608}
conc=${CONC:-16}
conns=${CONNS:-2}
small_n=${SMALL_N:-500}
gets=${GETS:-10000}
gets_store=${GETS_STORE:-2000} # s3rver answers a few hundred GETs/s: 10,000 would take minutes per tool
big_sizes=${BIG_SIZES:-$size}
tests=${TESTS:-nginx-get store small get-64k}
build=$root/build/bench

# shellcheck source=bench/lib.sh
. "$root/bench/lib.sh"
bench_peers
bench_build ossio_cli ossio_example_version
ossio=$build/cli/ossio

echo "starting the endpoint (nginx files: big.bin $size bytes, small.bin 64 KiB) ..." >&2
ENDPOINT_STATE='' bench_endpoint --nginx-file "big.bin:$size" --nginx-file small.bin:65536 # always its own
json=$state/endpoint.json
jq_ep() { jq -r "$1" "$json"; }
ca=$(jq_ep .ca_file)
bucket=$(jq_ep .bucket)
www=$(jq_ep .nginx_root)
p_tls=$(jq_ep .ports.nginx_tls) p_h2c=$(jq_ep .ports.nginx_h2c) p_h1=$(jq_ep .ports.nginx_http)
p_store=$(jq_ep .ports.h2_tls) p_plain=$(jq_ep .ports.http)
export OSS_ACCESS_KEY_ID OSS_ACCESS_KEY_SECRET
OSS_ACCESS_KEY_ID=$(jq_ep .credentials.access_key_id)
OSS_ACCESS_KEY_SECRET=$(jq_ep .credentials.access_key_secret)
# nginx serves path-style URLs /<bucket>/<file> from its root.
mkdir -p "$www/$bucket"
ln -f "$www/big.bin" "$www/$bucket/big.bin"
ln -f "$www/small.bin" "$www/$bucket/small.bin"
cat "$www/big.bin" >/dev/null

# rclone's s3 backend on the front's plain HTTP/1.1 port (AWS SigV4, path style).
export RCLONE_CONFIG_X_TYPE=s3 RCLONE_CONFIG_X_PROVIDER=Other RCLONE_CONFIG_X_FORCE_PATH_STYLE=true
export RCLONE_CONFIG_X_ENDPOINT=http://127.0.0.1:$p_plain RCLONE_CONFIG_X_REGION=$(jq_ep .region)
export RCLONE_CONFIG_X_ACCESS_KEY_ID=$OSS_ACCESS_KEY_ID RCLONE_CONFIG_X_SECRET_ACCESS_KEY=$OSS_ACCESS_KEY_SECRET
export RCLONE_CONFIG_X_NO_CHECK_BUCKET=true RCLONE_CONFIG=/dev/null
rc_flags=(-q --transfers "$conc" --checkers "$conc" --s3-chunk-size "${part}B" --s3-upload-concurrency "$conc"
          --multi-thread-streams "$conc" --multi-thread-cutoff "${part}B")

# ossio against nginx (path style; h2 streams per connection as h2load's -m).
streams=$((conc / conns))
o_tls=(--endpoint "https://localhost:$p_tls" -D fs.oss.path.style.access=true -D "fs.oss.connection.ca.file=$ca"
       -D "fs.oss.connection.maximum=$conns" -D "fs.oss.http2.max.streams=$streams")
o_h2c=(--endpoint "http://localhost:$p_h2c" -D fs.oss.path.style.access=true -D fs.oss.http2.cleartext=true
       -D "fs.oss.connection.maximum=$conns" -D "fs.oss.http2.max.streams=$streams")
o_h1=(--endpoint "http://localhost:$p_h1" -D fs.oss.path.style.access=true --http1.1 -D "fs.oss.connection.maximum=$conc")
o_store=(--endpoint "https://localhost:$p_store" -D fs.oss.path.style.access=true -D "fs.oss.connection.ca.file=$ca"
         -D "fs.oss.connection.maximum=$conns" -D "fs.oss.http2.max.streams=$streams")
o_plain=(--endpoint "http://127.0.0.1:$p_plain" -D fs.oss.path.style.access=true --http1.1 -D "fs.oss.connection.maximum=$conc")

# shellcheck source=bench/runs.sh
. "$root/bench/runs.sh"
curl_cfg() { # file url count range_size(0: whole) extra-option-line
  local f=$1 url=$2 n=$3 rs=$4 extra=$5 i
  : >"$f"
  for ((i = 0; i < n; i++)); do
    ((i)) && echo next >>"$f"
    printf 'url = "%s"\noutput = "/dev/null"\nsilent\ncacert = "%s"\n%s\nwrite-out = "%%{http_code} %%{size_download}\\n"\n' "$url" "$ca" "$extra" >>"$f"
    if ((rs)); then printf 'range = "%d-%d"\n' $(((i * rs) % size)) $(((i * rs) % size + rs - 1)) >>"$f"; fi
  done
}

nparts=$(((size + part - 1) / part))
h1c=$((nparts < conc ? nparts : conc))
presign() { "$ossio" "${o_store[@]}" presign --expires 3600 "$@"; }

for ((round = 1; round <= rounds; round++)); do
  echo "round $round of $rounds" >&2
  for t in $tests; do
    case $t in
      nginx-get)
        B=oss://$bucket/big.bin
        ossio_run nginx-get h2tls "${o_tls[@]}" bench get --count 1 --part-size "$part" -c "$conc" "$B"
        ossio_run nginx-get h2tls "${o_tls[@]}" bench get --count "$nparts" --size "$part" -c "$conc" "$B"
        h2load_run nginx-get h2tls "$nparts" "https://localhost:$p_tls/$bucket/big.bin" -c"$conns" -m"$streams" -H "range: bytes=0-$((part - 1))"
        curl_cfg "$tmp/c1" "https://localhost:$p_tls/$bucket/big.bin" 1 0 http2
        curl_run nginx-get "curl 1 stream" h2tls "$size" 1 -K "$tmp/c1"
        curl_cfg "$tmp/cp" "https://localhost:$p_tls/$bucket/big.bin" "$nparts" "$part" http2
        curl_run nginx-get "curl --parallel" h2tls "$size" "$nparts" --parallel --parallel-max "$conc" -K "$tmp/cp"
        ossio_run nginx-get h2c "${o_h2c[@]}" bench get --count 1 --part-size "$part" -c "$conc" "$B"
        h2load_run nginx-get h2c "$nparts" "http://localhost:$p_h2c/$bucket/big.bin" -c"$conns" -m"$streams" -H "range: bytes=0-$((part - 1))"
        ossio_run nginx-get h1 "${o_h1[@]}" bench get --count 1 --part-size "$part" -c "$conc" "$B"
        h2load_run nginx-get h1 "$nparts" "http://localhost:$p_h1/$bucket/big.bin" --h1 -c"$h1c" -m1 -H "range: bytes=0-$((part - 1))"
        curl_cfg "$tmp/ch" "http://localhost:$p_h1/$bucket/big.bin" "$nparts" "$part" http1.1
        curl_run nginx-get "curl --parallel" h1 "$size" "$nparts" --parallel --parallel-max "$conc" -K "$tmp/ch"
        ;;
      store)
        for bs in $big_sizes; do
          [[ -f $tmp/up-$bs ]] || head -c "$bs" /dev/urandom >"$tmp/up-$bs"
          local_parts=$(((bs + part - 1) / part))
          for via in h2tls plain; do
            if [[ $via == h2tls ]]; then o=("${o_store[@]}"); else o=("${o_plain[@]}"); fi
            ossio_run "store-up $bs" "$via" "${o[@]}" bench put --count 1 --size "$bs" --part-size "$part" -c "$conc" --prefix "cmp-$via" --keep "oss://$bucket"
            ossio_run "store-down $bs" "$via" "${o[@]}" bench get --count 1 --part-size "$part" -c "$conc" "oss://$bucket/cmp-$via/put-0"
          done
          url=$(presign --method PUT "oss://$bucket/cmp-curl/$bs")
          curl_run "store-up $bs" "curl 1 stream" h2tls "$bs" 1 -s --http2 --cacert "$ca" -T "$tmp/up-$bs" -o /dev/null -w '%{http_code} %{size_upload}\n' "$url"
          url=$(presign "oss://$bucket/cmp-curl/$bs")
          curl_run "store-down $bs" "curl 1 stream" h2tls "$bs" 1 -s --http2 --cacert "$ca" -o /dev/null -w '%{http_code} %{size_download}\n' "$url"
          rclone_run "store-up $bs" plain "$bs" "$local_parts" copyto "$tmp/up-$bs" "X:$bucket/cmp-rclone/$bs"
          rclone_run "store-down $bs" plain "$bs" "$local_parts" copyto "X:$bucket/cmp-rclone/$bs" "$tmp/down-$bs"
          cmp -s "$tmp/up-$bs" "$tmp/down-$bs" || { echo "rclone download differs" >&2; exit 1; }
          rm -f "$tmp/down-$bs"
          "$ossio" "${o_store[@]}" -q rm -r "oss://$bucket/cmp-h2tls" "oss://$bucket/cmp-plain" "oss://$bucket/cmp-curl" "oss://$bucket/cmp-rclone"
        done
        ;;
      small)
        ossio_run small h2tls "${o_store[@]}" bench small --count "$small_n" --size 64k -c "$conc" "oss://$bucket"
        ossio_run small plain "${o_plain[@]}" bench small --count "$small_n" --size 64k -c "$conc" "oss://$bucket"
        if [[ ! -d $tmp/small ]]; then
          mkdir -p "$tmp/small"
          for ((i = 0; i < small_n; i++)); do head -c 65536 /dev/urandom >"$tmp/small/f$i"; done
        fi
        rm -rf "$tmp/small-down"
        t0=$(date +%s.%N)
        rclone_run "small (rclone up)" plain $((small_n * 65536)) "$small_n" copy --no-traverse "$tmp/small" "X:$bucket/cmp-small"
        up=$(tail -1 "$runs")
        rclone_run "small (rclone down)" plain $((small_n * 65536)) "$small_n" copy "X:$bucket/cmp-small" "$tmp/small-down"
        down=$(tail -1 "$runs")
        diff -rq "$tmp/small" "$tmp/small-down" >/dev/null || { echo "rclone small download differs" >&2; exit 1; }
        rclone_run "small (rclone delete)" plain 0 "$small_n" delete "X:$bucket/cmp-small"
        del=$(tail -1 "$runs")
        # One line for the three phases together, as ossio's small mixes them.
        emit small rclone plain $((2 * small_n * 65536)) $((3 * small_n)) \
          "$(jq -s 'map(.wall_s) | add' <<<"$up$down$del")" "$(jq -s 'map(.cpu_s) | add' <<<"$up$down$del")" \
          "$(jq -s 'map(.rss_mib) | max' <<<"$up$down$del")" >/dev/null
        ;;
      get-64k)
        ossio_run get-64k h2tls-nginx "${o_tls[@]}" bench get --count "$gets" -c "$conc" "oss://$bucket/small.bin"
        h2load_run get-64k h2tls-nginx "$gets" "https://localhost:$p_tls/$bucket/small.bin" -c"$conns" -m"$streams"
        curl_cfg "$tmp/c64" "https://localhost:$p_tls/$bucket/small.bin" "$gets" 0 http2
        curl_run get-64k "curl --parallel" h2tls-nginx $((gets * 65536)) "$gets" --parallel --parallel-max "$conc" -K "$tmp/c64"
        if ((round == 1)); then
          head -c 65536 /dev/urandom >"$tmp/o64k"
          "$ossio" "${o_store[@]}" -q cp "$tmp/o64k" "oss://$bucket/cmp-64k/o"
        fi
        ossio_run get-64k h2tls-store "${o_store[@]}" bench get --count "$gets_store" -c "$conc" "oss://$bucket/cmp-64k/o"
        h2load_run get-64k h2tls-store "$gets_store" "$(presign "oss://$bucket/cmp-64k/o")" -c"$conns" -m"$streams"
        ;;
      *) echo "unknown test $t" >&2; exit 2 ;;
    esac
  done
done
echo

aes=$({ openssl speed -evp aes-128-gcm -decrypt -bytes 16384 -seconds 2 2>/dev/null || true; } |
  awk '/^AES-128-GCM/ { sub(/k$/, "", $2); printf "%.3f", $2 * 1000 / 1e9 }')
aes=${aes:-"(openssl speed failed)"}
v() { "$build/examples/version" | awk -v d="$1" '$1==d {print $2}'; }
echo "date:    $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
echo "machine: $(nproc) cores, $(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo), kernel $(uname -r), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "ossio:   $("$build/examples/version" | head -1 | cut -d' ' -f2) (nghttp2 $(v nghttp2), openssl $(v openssl), libev $(v libev))"
echo "peers:   $(h2load --version | head -1); $(curl --version | head -1 | cut -d' ' -f1-2); $(rclone version | head -1); nginx $(nginx -v 2>&1 | sed 's/^nginx version: //'); nghttpx $(nghttpx --version | head -1 | awk '{print $2}'); node $(node --version)"
echo "aes-128-gcm decrypt, one core: $aes GB/s"
echo "load:    SIZE=$size PART=$part CONC=$conc CONNS=$conns SMALL_N=$small_n GETS=$gets GETS_STORE=$gets_store ROUNDS=$rounds BIG_SIZES=$big_sizes"
echo
runs_table '^small \(rclone'
