#!/usr/bin/env bash
# Uploads on a server that keeps up (issue 15.3): ossio side by side with
# curl -T, h2load -d and rclone on bench/sink.sh (nginx answering PutObject,
# the multipart calls and GETs, dropping bodies), in one run.
#
# Tests (each ROUNDS times; the order of the tools rotates every round):
#   big-up    a SIZE-byte (1 GiB) file on /dev/shm: `ossio cp FILE` (a
#             multipart upload of PART parts, CONC in flight), `cat FILE |
#             ossio cp -` (from a pipe; cat's CPU counted), curl -T (one
#             PUT), h2load -d (one POST of the file; and "h2load parts":
#             SIZE/PART POSTs of PART bytes, CONC in flight as ossio's
#             parts: the same shape on the wire), rclone copyto (its s3
#             multipart, PART chunks, CONC at once; HTTP/1.1 only).
#   big-down  the same size back from the sink's static file: `ossio cp
#             oss://sink/big.bin /dev/null`, the reference for "at least 0.9x
#             ossio's own download".
#   put-64k   PUTS (10,000) PUTs of 64 KiB: `ossio bench put -c PCONC` vs
#             h2load -n PUTS -d (the same connections and streams).
# Transports: h2 (TLS, ALPN h2), h1tls (TLS, http/1.1), h2c, h1 (cleartext).
# Throughput = payload / elapsed: ossio bench its own --json phase, h2load
# its "finished in", everything else the process (GNU time %e, start-up
# included). CPU s/GiB and peak RSS: the process (GNU time), ossio bench its
# own --json. A benchmark, never a test: it exits non-zero only when a tool
# fails.
#
#   bash bench/upload-compare.sh
#   env: ROUNDS=5 SIZE=1073741824 PART=8388608 CONC=16 CONNS=2 PUTS=10000 PCONC=128
#        TESTS="big-up big-down put-64k" TRANSPORTS="h2 h1tls h2c h1"
#        OSSIO_ALT="label=/path/to/ossio ..."  other ossio builds (e.g. an older
#        commit's release build) run as `ossio cp FILE` beside this tree's in
#        big-up, reported as "ossio cp (label)"
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
rounds=${ROUNDS:-5}
size=${SIZE:-1073741824}
part=${PART:-8388608}
conc=${CONC:-16}
conns=${CONNS:-2}
puts=${PUTS:-10000}
pconc=${PCONC:-128}
tests=${TESTS:-big-up big-down put-64k}
transports=${TRANSPORTS:-h2 h1tls h2c h1}
build=$root/build/bench

# shellcheck source=bench/lib.sh
. "$root/bench/lib.sh"
bench_peers
# shellcheck source=bench/sink.sh
. "$root/bench/sink.sh"
bench_build ossio_cli ossio_example_version
ossio=$build/cli/ossio
tmp=$(mktemp -d)
trap 'sink_stop; rm -rf "$tmp" /dev/shm/ossio-up-$$' EXIT
sink_start "$tmp/sink"
# shellcheck source=bench/runs.sh
. "$root/bench/runs.sh"

file=/dev/shm/ossio-up-$$
head -c "$size" /dev/urandom >"$file"
mkdir -p "$sink_root/sink"
ln -f "$file" "$sink_root/sink/big.bin" 2>/dev/null || cp "$file" "$sink_root/sink/big.bin"
head -c 65536 /dev/urandom >"$tmp/64k"
head -c "$part" /dev/urandom >"$tmp/part"
export OSS_ACCESS_KEY_ID=sink-key OSS_ACCESS_KEY_SECRET=sink-secret

streams=$((conc / conns))
o_common=(-D fs.oss.path.style.access=true -D "fs.oss.multipart.upload.size=$part" -D "fs.oss.multipart.download.size=$part"
          -D "fs.oss.multipart.download.threads=$conc")
declare -A o_tr url_tr h2l_tr curl_tr
o_tr[h2]="--endpoint https://localhost:$sink_tls -D fs.oss.connection.ca.file=$sink_ca -D fs.oss.connection.maximum=$conns -D fs.oss.http2.max.streams=$streams"
o_tr[h1tls]="--endpoint https://localhost:$sink_tls -D fs.oss.connection.ca.file=$sink_ca --http1.1 -D fs.oss.connection.maximum=$conc"
o_tr[h2c]="--endpoint http://localhost:$sink_h2c -D fs.oss.http2.cleartext=true -D fs.oss.connection.maximum=$conns -D fs.oss.http2.max.streams=$streams"
o_tr[h1]="--endpoint http://localhost:$sink_http --http1.1 -D fs.oss.connection.maximum=$conc"
url_tr[h2]=https://localhost:$sink_tls url_tr[h1tls]=https://localhost:$sink_tls
url_tr[h2c]=http://localhost:$sink_h2c url_tr[h1]=http://localhost:$sink_http
h2l_tr[h2]="" h2l_tr[h1tls]="--h1" h2l_tr[h2c]="" h2l_tr[h1]="--h1"
curl_tr[h2]="--http2 --cacert $sink_ca" curl_tr[h1tls]="--http1.1 --cacert $sink_ca"
curl_tr[h2c]="--http2-prior-knowledge" curl_tr[h1]="--http1.1"

export RCLONE_CONFIG_X_TYPE=s3 RCLONE_CONFIG_X_PROVIDER=Other RCLONE_CONFIG_X_FORCE_PATH_STYLE=true
export RCLONE_CONFIG_X_REGION=us-east-1 RCLONE_CONFIG_X_NO_CHECK_BUCKET=true RCLONE_CONFIG=/dev/null
export RCLONE_CONFIG_X_ACCESS_KEY_ID=$OSS_ACCESS_KEY_ID RCLONE_CONFIG_X_SECRET_ACCESS_KEY=$OSS_ACCESS_KEY_SECRET
rc_flags=(-q --s3-no-head --no-check-dest --ignore-checksum --s3-upload-cutoff "${part}B" --s3-chunk-size "${part}B" --s3-upload-concurrency "$conc"
          --s3-disable-checksum --ca-cert "$sink_ca")

# Each case: "test tool transport" and the command; run_case runs one.
run_case() { # test tool tr
  local test=$1 tool=$2 tr=$3
  # shellcheck disable=SC2086
  case "$test/$tool" in
    big-up/ossio)
      timed "$ossio" ${o_tr[$tr]} "${o_common[@]}" -q cp "$file" oss://sink/up || die_run "ossio cp ($tr)"
      emit "$test" "ossio cp" "$tr" "$size" 1 "$(t_wall)" "$(t_cpu)" "$(t_rss)" ;;
    big-up/alt:*)
      local label=${tool#alt:}
      timed "${alt_bin[$label]}" ${o_tr[$tr]} "${o_common[@]}" -q cp "$file" oss://sink/up || die_run "ossio ($label) cp ($tr)"
      emit "$test" "ossio cp ($label)" "$tr" "$size" 1 "$(t_wall)" "$(t_cpu)" "$(t_rss)" ;;
    big-up/ossio-pipe)
      timed bash -c "cat '$file' | '$ossio' ${o_tr[$tr]} ${o_common[*]} -q cp - oss://sink/up" || die_run "ossio cp - ($tr)"
      emit "$test" "ossio cp - (pipe)" "$tr" "$size" 1 "$(t_wall)" "$(t_cpu)" "$(t_rss)" ;;
    big-up/curl)
      curl_run "$test" "curl -T" "$tr" "$size" 1 -s ${curl_tr[$tr]} -T "$file" -o /dev/null \
        -w '%{http_code} %{size_upload}\n' "${url_tr[$tr]}/sink/up" ;;
    big-up/h2load)
      h2load_run "$test" "$tr" 1 "${url_tr[$tr]}/sink/up" ${h2l_tr[$tr]} -d "$file"
      sed -i '$ s/"bytes":[0-9]*/"bytes":'"$size"'/' "$runs" ;;
    big-up/h2load-parts) # the same shape as ossio's multipart: SIZE/PART bodies of PART, as many in flight
      if [[ $tr == h1 || $tr == h1tls ]]; then
        local n=$((size / part))
        h2load_run "$test" "$tr" "$n" "${url_tr[$tr]}/sink/up" --h1 -c $((n < conc ? n : conc)) -m 1 -d "$tmp/part"
      else
        h2load_run "$test" "$tr" $((size / part)) "${url_tr[$tr]}/sink/up" -c "$conns" -m "$streams" -d "$tmp/part"
      fi
      sed -i '$ s/"tool":"h2load"/"tool":"h2load parts"/; $ s/"bytes":[0-9]*/"bytes":'"$size"'/' "$runs" ;;
    big-up/rclone)
      RCLONE_CONFIG_X_ENDPOINT=${url_tr[$tr]} rclone_run "$test" "$tr" "$size" 1 copyto "$file" X:sink/up ;;
    big-down/ossio)
      timed "$ossio" ${o_tr[$tr]} "${o_common[@]}" -q cp oss://sink/big.bin /dev/null || die_run "ossio get ($tr)"
      emit "$test" "ossio cp" "$tr" "$size" 1 "$(t_wall)" "$(t_cpu)" "$(t_rss)" ;;
    put-64k/ossio)
      local o=${o_tr[$tr]//connection.maximum=$conc/connection.maximum=$pconc}
      ossio_run "$test" "$tr" ${o//max.streams=$streams/max.streams=$((pconc / conns))} \
        "${o_common[@]}" bench put -n "$puts" --size 64k -c "$pconc" --keys 100 --keep oss://sink ;;
    put-64k/h2load)
      if [[ $tr == h1 || $tr == h1tls ]]; then
        h2load_run "$test" "$tr" "$puts" "${url_tr[$tr]}/sink/p" --h1 -c "$pconc" -m 1 -d "$tmp/64k"
      else
        h2load_run "$test" "$tr" "$puts" "${url_tr[$tr]}/sink/p" -c "$conns" -m $((pconc / conns)) -d "$tmp/64k"
      fi
      sed -i '$ s/"bytes":[0-9]*/"bytes":'$((puts * 65536))'/' "$runs" ;;
  esac
}

declare -A alt_bin
for a in ${OSSIO_ALT:-}; do alt_bin[${a%%=*}]=${a#*=}; done

cases=()
for test in $tests; do
  for tr in $transports; do
    case $test in
      big-up)
        cases+=("$test ossio $tr" "$test ossio-pipe $tr" "$test curl $tr" "$test h2load $tr" "$test h2load-parts $tr")
        for label in "${!alt_bin[@]}"; do cases+=("$test alt:$label $tr"); done
        [[ $tr == h1 || $tr == h1tls ]] && cases+=("$test rclone $tr") ;;
      big-down) cases+=("$test ossio $tr") ;;
      put-64k) cases+=("$test ossio $tr" "$test h2load $tr") ;;
    esac
  done
done

echo "load at start: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
for ((r = 0; r < rounds; r++)); do
  n=${#cases[@]}
  for ((i = 0; i < n; i++)); do
    # shellcheck disable=SC2086
    run_case ${cases[$(((i + r * 3) % n))]}
  done
done
echo

v() { "$build/examples/version" | awk -v d="$1" '$1==d {print $2}'; }
echo "date:    $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
echo "machine: $(nproc) cores, $(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), kernel $(uname -r), load at end $(cut -d' ' -f1-3 /proc/loadavg)"
echo "ossio:   $("$build/examples/version" | head -1 | cut -d' ' -f2) (nghttp2 $(v nghttp2), openssl $(v openssl))"
echo "peers:   $(h2load --version | head -1); $(curl --version | head -1 | cut -d' ' -f1-2); $(rclone version | head -1); nginx $(nginx -v 2>&1 | sed 's/^nginx version: //')"
echo "load:    SIZE=$size PART=$part CONC=$conc CONNS=$conns PUTS=$puts PCONC=$pconc ROUNDS=$rounds"
echo
runs_table
