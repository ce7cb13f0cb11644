#!/usr/bin/env bash
# The ossio program end to end against the local endpoint, one case per
# ctest: cli_test.sh <ossio binary> <case>. Each case uses its own key
# prefix (other test programs share the store) and removes what it made.
set -uo pipefail

OSSIO=$1
CASE=$2
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
set -a
# shellcheck disable=SC1091
. "$OSSIO_ENDPOINT_STATE/endpoint.env"
set +a

# Only what the test sets: no configuration from the environment around it.
unset OSS_ENDPOINT OSS_REGION OSS_SESSION_TOKEN FLINK_CONF_DIR HADOOP_CONF_DIR
unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_ENDPOINT_URL
export OSS_ACCESS_KEY_ID=$OSSIO_EP_ACCESS_KEY_ID
export OSS_ACCESS_KEY_SECRET=$OSSIO_EP_ACCESS_KEY_SECRET

B=oss://$OSSIO_EP_BUCKET
PREFIX="cli-$CASE-$$-$RANDOM"
TMP=$(mktemp -d)
EP_H2=(--endpoint "https://localhost:$OSSIO_EP_PORT_H2_TLS" -D fs.oss.path.style.access=true
       -D "fs.oss.connection.ca.file=$OSSIO_EP_CA_FILE")
# Virtual-hosted over TLS with HTTP/1.1 only, the name pinned as users pin it.
EP_H1=(--endpoint "https://$OSSIO_EP_ENDPOINT_HOST:$OSSIO_EP_PORT_H1_TLS"
       --resolve "$OSSIO_EP_BUCKET.$OSSIO_EP_ENDPOINT_HOST:$OSSIO_EP_PORT_H1_TLS:127.0.0.1"
       -D "fs.oss.connection.ca.file=$OSSIO_EP_CA_FILE" --http1.1)
SMALL_PARTS=(-D fs.oss.multipart.upload.size=100k -D fs.oss.multipart.upload.threshold=100k
             -D fs.oss.multipart.download.size=100k)
FAILED=0

cleanup() {
  "$OSSIO" "${EP_H2[@]}" -q rm -r "$B/$PREFIX" >/dev/null 2>&1
  curl -s -X DELETE "http://127.0.0.1:$OSSIO_EP_PORT_CONTROL/faults?path=$PREFIX" >/dev/null
  rm -rf "$TMP"
}
trap cleanup EXIT

fail() { echo "FAIL: $*" >&2; FAILED=1; }
check() { local what=$1; shift; if "$@"; then echo "ok: $what"; else fail "$what"; fi; }
jqe() { jq -e "$@" >/dev/null; }

# Runs ossio; stdout in $TMP/out, stderr in $TMP/err, exit code in $RC.
run() {
  "$OSSIO" "$@" >"$TMP/out" 2>"$TMP/err"
  RC=$?
}

# As run, for a whole command line (env VAR=... "$OSSIO" ...).
run_env() {
  "$@" >"$TMP/out" 2>"$TMP/err"
  RC=$?
}

# Expects exit code $1 and exactly one stderr line matching $2 from the command after them.
expect_error() {
  local want=$1 pattern=$2
  shift 2
  run "$@"
  check "exit $want from: ${*: -2}" [ "$RC" = "$want" ]
  check "one error line: $(head -c 200 "$TMP/err")" [ "$(wc -l <"$TMP/err")" = 1 ]
  check "error line matches '$pattern'" grep -qE -- "$pattern" "$TMP/err"
  no_secret "$TMP/err"
}

no_secret() {
  check "no secret in $(basename "$1")" bash -c "! grep -qF -- \"\$1\" \"\$2\"" _ "$OSSIO_EP_ACCESS_KEY_SECRET" "$1"
}

case_commands() {
  printf 'hello, ossio\n' >"$TMP/hello.txt"
  for ep in h2 h1; do
    local -n E="EP_${ep^^}"
    local k="$B/$PREFIX/$ep/hello.txt"
    run "${E[@]}" cp "$TMP/hello.txt" "$k"; check "cp upload ($ep)" [ "$RC" = 0 ]
    run "${E[@]}" --json cp "$TMP/hello.txt" "$k"
    check "cp --json" jqe '.command == "cp" and (.transfers | length) == 1 and .transfers[0].status == "ok" and .bytes == 13 and .transfers[0].checksum == "crc64"' "$TMP/out"
    run "${E[@]}" stat "$k"; check "stat ($ep)" grep -q '^size: *13$' "$TMP/out"
    run "${E[@]}" --json stat "$k"
    check "stat --json" jqe '.size == 13 and (.etag | startswith("\"")) and (.crc64 | test("^[0-9]+$"))' "$TMP/out"
    run "${E[@]}" cat "$k"; check "cat ($ep)" cmp -s "$TMP/out" "$TMP/hello.txt"
    run "${E[@]}" cat --range 7-10 "$k"; check "cat --range 7-10" [ "$(cat "$TMP/out")" = "ossi" ]
    # Destinations that are not files: /dev/stdout is standard output, a FIFO is
    # written in order (and stays a FIFO), a null device is written in place.
    run "${E[@]}" cp "$k" /dev/stdout; check "cp to /dev/stdout ($ep)" cmp -s "$TMP/out" "$TMP/hello.txt"
    mkfifo "$TMP/fifo"
    cat "$TMP/fifo" >"$TMP/from-fifo" &
    local reader=$!
    run "${E[@]}" cp "$k" "$TMP/fifo"; check "cp to a FIFO ($ep): $(head -c 200 "$TMP/err")" [ "$RC" = 0 ]
    wait "$reader"
    check "the FIFO got the object" cmp -s "$TMP/from-fifo" "$TMP/hello.txt"
    check "still a FIFO" test -p "$TMP/fifo"
    rm -f "$TMP/fifo" "$TMP/from-fifo"
    if mknod "$TMP/null" c 1 3 2>/dev/null; then
      run "${E[@]}" cp "$k" "$TMP/null"; check "cp to a null device ($ep)" [ "$RC" = 0 ]
      check "still a device" test -c "$TMP/null"
      rm -f "$TMP/null"
    fi
    run "${E[@]}" cat --range=7- "$k"; check "cat --range 7-" [ "$(cat "$TMP/out")" = "ossio" ]
    run "${E[@]}" ls "$B/$PREFIX/"; check "ls shows the prefix" grep -qx "$B/$PREFIX/$ep/" "$TMP/out"
    run "${E[@]}" ls -l "$B/$PREFIX/$ep/"; check "ls -l" grep -qE "^ +13 .*\"[0-9a-f]{32}\" +$k\$" "$TMP/out"
    run "${E[@]}" --json ls -r "$B/$PREFIX/$ep"
    check "ls --json: one object per line" jqe -s "length == 1 and .[0].type == \"object\" and .[0].size == 13 and .[0].uri == \"$k\"" "$TMP/out"
    run "${E[@]}" cp "$k" "$B/$PREFIX/$ep/copy.txt"; check "cp oss→oss" [ "$RC" = 0 ]
    run "${E[@]}" cp "$B/$PREFIX/$ep/copy.txt" -; check "cp to stdout" cmp -s "$TMP/out" "$TMP/hello.txt"
    run "${E[@]}" cp "$B/$PREFIX/$ep/copy.txt" "$TMP/"; check "cp into a directory" cmp -s "$TMP/copy.txt" "$TMP/hello.txt"
    printf 'from stdin' | "$OSSIO" "${E[@]}" cp - "$B/$PREFIX/$ep/stdin.txt"; check "cp from stdin" [ $? = 0 ]
    run "${E[@]}" cat "$B/$PREFIX/$ep/stdin.txt"; check "stdin round trip" [ "$(cat "$TMP/out")" = "from stdin" ]
    run "${E[@]}" --json rm "$B/$PREFIX/$ep/copy.txt" "$B/$PREFIX/$ep/stdin.txt"
    check "rm --json" jqe '.count == 2 and (.deleted | length) == 2' "$TMP/out"
    run "${E[@]}" stat "$B/$PREFIX/$ep/copy.txt"; check "rm removed it" [ "$RC" = 3 ]
  done
  # presign: fetched with curl, verified by the endpoint with Aliyun's and AWS's signers.
  local k="$B/$PREFIX/h2/hello.txt" url
  for sig in "-D fs.oss.signature.version=v1" "-D fs.oss.signature.version=v4 -D fs.oss.region=$OSSIO_EP_REGION" \
             "-D fs.oss.dialect=s3 -D fs.oss.region=$OSSIO_EP_REGION"; do
    # shellcheck disable=SC2086 # $sig is several words
    url=$("$OSSIO" "${EP_H2[@]}" $sig presign --expires 600 "$k")
    check "presign ($sig) fetched by curl" bash -c 'curl -sf --cacert "$1" "$2" | cmp -s - "$3"' _ "$OSSIO_EP_CA_FILE" "$url" "$TMP/hello.txt"
  done
  url=$("$OSSIO" "${EP_H2[@]}" --json presign --method PUT "$B/$PREFIX/h2/put.txt" | jq -r .url)
  check "presigned PUT with curl" curl -sf --cacert "$OSSIO_EP_CA_FILE" -T "$TMP/hello.txt" "$url" -o /dev/null
  run "${EP_H2[@]}" cat "$B/$PREFIX/h2/put.txt"; check "presigned PUT stored" cmp -s "$TMP/out" "$TMP/hello.txt"
  # mb / rb
  local bucket="cli-bucket-$$-$RANDOM"
  run "${EP_H2[@]}" --json mb "oss://$bucket"; check "mb --json" jqe ".created and .bucket == \"$bucket\"" "$TMP/out"
  run "${EP_H2[@]}" ls "oss://$bucket"; check "new bucket lists empty" test "$RC" = 0 -a ! -s "$TMP/out"
  run "${EP_H2[@]}" rb "oss://$bucket"; check "rb" [ "$RC" = 0 ]
  run "${EP_H2[@]}" ls "oss://$bucket"; check "deleted bucket: not found" [ "$RC" = 3 ]
  # config, version, help
  run "${EP_H2[@]}" -D fs.oss.paging.maximum=7 --json config
  check "config --json: sources" jqe '(.keys[] | select(.key == "fs.oss.paging.maximum") | .source == "set" and .value == "7") and (.keys[] | select(.key == "fs.oss.accessKeyId") | .source == "env")' "$TMP/out"
  check "config --json: secret masked" jqe '.keys[] | select(.key == "fs.oss.accessKeySecret") | .value == "****"' "$TMP/out"
  no_secret "$TMP/out"
  run config; check "config text" grep -qE '^fs.oss.connection.maximum +default +32$' "$TMP/out"
  run version --json; check "version --json" jqe '(.ossio | test("^[0-9]+\\.")) and .deps.nghttp2 and .deps.openssl and .http2 == true' "$TMP/out"
  run --help; check "--help lists every command" bash -c 'for c in ls stat cat cp rm mb rb presign config version; do grep -q "^  $c " "$1" || exit 1; done' _ "$TMP/out"
  run cp --help; check "cp --help" grep -q '^usage: ossio cp' "$TMP/out"
  # -v logs to stderr, never the secret or an Authorization header.
  run "${EP_H2[@]}" -vv stat "$k"
  check "-v logs" [ -s "$TMP/err" ]
  no_secret "$TMP/err"
  check "no Authorization in the log" bash -c '! grep -qi "authorization:" "$1"' _ "$TMP/err"
}

case_errors() {
  expect_error 3 "^ossio: stat $B/$PREFIX/missing: NoSuchKey: .*\(RequestId [0-9A-F]+\)$" "${EP_H2[@]}" stat "$B/$PREFIX/missing"
  expect_error 3 "NoSuchKey" "${EP_H2[@]}" cat "$B/$PREFIX/missing"
  expect_error 3 "NoSuchKey" "${EP_H2[@]}" cp "$B/$PREFIX/missing" "$TMP/x"
  check "no file left by a failed download" [ ! -e "$TMP/x" ]
  expect_error 3 "NoSuchBucket" "${EP_H2[@]}" ls "oss://no-such-bucket-$$/"
  OSS_ACCESS_KEY_SECRET=wrong-secret expect_error 4 "SignatureDoesNotMatch" "${EP_H2[@]}" stat "$B/$PREFIX/missing"
  OSS_ACCESS_KEY_SECRET=wrong-secret expect_error 4 "SignatureDoesNotMatch" "${EP_H2[@]}" ls "$B/$PREFIX/"
  OSS_ACCESS_KEY_ID=LTAInobody expect_error 4 "InvalidAccessKeyId" "${EP_H2[@]}" ls "$B/$PREFIX/"
  expect_error 2 "hdfs" "${EP_H2[@]}" stat "hdfs://bucket/key"
  # Any scheme is the library's to refuse, in Flink's words, whatever the command.
  local flink="Could not find a file system implementation for scheme 'hdfs'"
  expect_error 2 "^ossio: ls hdfs://x/y: .*$flink" ls hdfs://x/y
  printf 'x' >"$TMP/f"
  expect_error 2 "$flink" "${EP_H2[@]}" cp "$TMP/f" hdfs://x/y
  expect_error 2 "$flink" "${EP_H2[@]}" cp -r "$TMP" hdfs://x/y/
  expect_error 2 "$flink" "${EP_H2[@]}" rm hdfs://x/y
  expect_error 2 "$flink" "${EP_H2[@]}" mb hdfs://bucket
  # s3:// in the OSS dialect is not signed as OSS: the error says how to switch.
  expect_error 2 "^ossio: stat s3://$OSSIO_EP_BUCKET/x: .*fs.oss.dialect=s3" "${EP_H2[@]}" stat "s3://$OSSIO_EP_BUCKET/x"
  expect_error 2 "fs.oss.dialect=s3" "${EP_H2[@]}" ls "s3://$OSSIO_EP_BUCKET/"
  expect_error 2 "names no object" "${EP_H2[@]}" stat "$B"
  expect_error 2 "bucket" "${EP_H2[@]}" stat "oss://Bad_Bucket/key"
  expect_error 2 "unknown option" "${EP_H2[@]}" ls -x "$B/"
  expect_error 2 "unknown command" frobnicate
  expect_error 2 "needs SRC and DST" cp "$TMP"
  expect_error 2 "is a directory" "${EP_H2[@]}" cp "$TMP" "$B/$PREFIX/"
  expect_error 2 "--range" "${EP_H2[@]}" cat --range 5-2 "$B/$PREFIX/x"
  expect_error 2 "-D needs key=value" -D novalue version
  # Nothing listens there: connection refused, no retries.
  local port
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  expect_error 6 "refused" --endpoint "http://127.0.0.1:$port" -D fs.oss.path.style.access=true -D fs.oss.attempts.maximum=1 stat "$B/$PREFIX/x"
  expect_error 5 "" "${EP_H2[@]}" -D fs.oss.connection.ca.file=/no/such/ca.pem stat "$B/$PREFIX/x"
  expect_error 6 "" --endpoint "https://localhost:$OSSIO_EP_PORT_TLS_BADCA" -D fs.oss.path.style.access=true -D fs.oss.attempts.maximum=1 -D "fs.oss.connection.ca.file=$OSSIO_EP_CA_FILE" stat "$B/$PREFIX/x"
  expect_error 5 "endpoint should not be null" stat "$B/$PREFIX/x"
  OSS_ACCESS_KEY_ID= OSS_ACCESS_KEY_SECRET= expect_error 5 "no credentials.*OSS_ACCESS_KEY_ID" "${EP_H2[@]}" stat "$B/$PREFIX/x"
  # The hint names the variables of the dialect in use.
  OSS_ACCESS_KEY_ID= OSS_ACCESS_KEY_SECRET= expect_error 5 "no credentials.*AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY" \
    "${EP_H2[@]}" -D fs.oss.dialect=s3 stat "s3://$OSSIO_EP_BUCKET/$PREFIX/x"
  expect_error 5 "fs.oss.paging.maximum" -D fs.oss.paging.maximum=0 config
  expect_error 5 "" --config "$TMP/no-such.yaml" config
  # The configuration file is read: the endpoint comes from it.
  printf 'fs.oss.endpoint: https://localhost:%s\nfs.oss.path.style.access: true\nfs.oss.connection.ca.file: %s\n' \
    "$OSSIO_EP_PORT_H2_TLS" "$OSSIO_EP_CA_FILE" >"$TMP/flink.yaml"
  expect_error 3 "NoSuchKey" --config "$TMP/flink.yaml" stat "$B/$PREFIX/x"
}

# What a user sets is found, wherever it is set: the AWS_* variables with the
# s3 dialect from -D or --config (signed SigV4, checked by the endpoint), the
# region from AWS_REGION / AWS_DEFAULT_REGION, path-style addressing for an
# endpoint that is an IP address or localhost (bucket.127.0.0.1 never resolves).
case_settings() {
  printf 'set\n' >"$TMP/s.txt"
  # No fs.oss.path.style.access given: 127.0.0.1 over HTTP, localhost over TLS.
  local ip=(--endpoint "http://127.0.0.1:$OSSIO_EP_PORT_HTTP" -D fs.oss.attempts.maximum=1)
  local lh=(--endpoint "https://localhost:$OSSIO_EP_PORT_H2_TLS" -D "fs.oss.connection.ca.file=$OSSIO_EP_CA_FILE" -D fs.oss.attempts.maximum=1)
  run "${ip[@]}" cp "$TMP/s.txt" "$B/$PREFIX/ip.txt"; check "cp to an IP endpoint, path-style by default: $(head -c 300 "$TMP/err")" [ "$RC" = 0 ]
  run "${lh[@]}" cat "$B/$PREFIX/ip.txt"; check "cat from localhost, path-style by default: $(head -c 300 "$TMP/err")" cmp -s "$TMP/out" "$TMP/s.txt"
  run "${ip[@]}" --json config
  check "config: path-style true by default for an IP endpoint" jqe '.keys[] | select(.key == "fs.oss.path.style.access") | .value == "true" and .source == "default"' "$TMP/out"
  run --endpoint "https://$OSSIO_EP_ENDPOINT_HOST:1" --json config
  check "config: virtual-hosted for a name ($OSSIO_EP_ENDPOINT_HOST)" jqe '.keys[] | select(.key == "fs.oss.path.style.access") | .value == "false"' "$TMP/out"
  # Set explicitly, it is kept: virtual-hosted at 127.0.0.1 does not resolve.
  expect_error 6 "$OSSIO_EP_BUCKET.127.0.0.1" "${ip[@]}" -D fs.oss.path.style.access=false \
    -D "fs.oss.dns.servers=127.0.0.1:$OSSIO_EP_PORT_DNS" stat "$B/$PREFIX/ip.txt"

  # The AWS_* credentials with the s3 dialect, no OSS_* ones at all.
  local aws=(env -u OSS_ACCESS_KEY_ID -u OSS_ACCESS_KEY_SECRET AWS_ACCESS_KEY_ID="$OSSIO_EP_ACCESS_KEY_ID"
             AWS_SECRET_ACCESS_KEY="$OSSIO_EP_ACCESS_KEY_SECRET" AWS_REGION="$OSSIO_EP_REGION")
  local s3="s3://$OSSIO_EP_BUCKET/$PREFIX"
  run_env "${aws[@]}" "$OSSIO" "${EP_H2[@]}" -D fs.oss.dialect=s3 cp "$TMP/s.txt" "$s3/aws.txt"
  check "AWS_* credentials with -D fs.oss.dialect=s3: $(head -c 300 "$TMP/err")" [ "$RC" = 0 ]
  check "signed with SigV4" grep -q "PUT /$OSSIO_EP_BUCKET/$PREFIX/aws.txt → 200 aws-sigv4" "$OSSIO_EP_STATE_DIR/endpoint.log"
  run_env "${aws[@]}" AWS_SECRET_ACCESS_KEY=wrong "$OSSIO" "${EP_H2[@]}" -D fs.oss.dialect=s3 stat "$s3/aws.txt"
  check "a wrong AWS_SECRET_ACCESS_KEY is the one used (exit 4, got $RC)" [ "$RC" = 4 ]
  printf 'fs.oss.dialect: s3\n' >"$TMP/s3.yaml"
  run_env "${aws[@]}" "$OSSIO" "${EP_H2[@]}" --config "$TMP/s3.yaml" cat "$s3/aws.txt"
  check "AWS_* credentials with the dialect from --config: $(head -c 300 "$TMP/err")" cmp -s "$TMP/out" "$TMP/s.txt"
  run_env "${aws[@]}" "$OSSIO" "${EP_H2[@]}" -D fs.oss.dialect=s3 --json cp "$TMP/s.txt" "$s3/aws.txt"
  check "cp --json in the s3 dialect names CRC32C" jqe '.transfers[0].checksum == "crc32c"' "$TMP/out"
  # stat shows the x-amz-checksum-* headers the s3 dialect asked for (the
  # CRC32C the upload sent, verified and kept by the endpoint).
  run_env "${aws[@]}" "$OSSIO" "${EP_H2[@]}" -D fs.oss.dialect=s3 stat "$s3/aws.txt"
  check "stat shows the CRC32C: $(head -c 300 "$TMP/out")" grep -qE '^checksum-crc32c: [A-Za-z0-9+/]{6}==$' "$TMP/out"
  check "stat shows the checksum type" grep -q '^checksum-type: *FULL_OBJECT$' "$TMP/out"
  run_env "${aws[@]}" "$OSSIO" "${EP_H2[@]}" -D fs.oss.dialect=s3 --json stat "$s3/aws.txt"
  check "stat --json has the CRC32C" jqe '(.checksum_crc32c | test("==$")) and .checksum_type == "FULL_OBJECT"' "$TMP/out"
  run_env "${aws[@]}" "$OSSIO" "${EP_H2[@]}" -D fs.oss.dialect=s3 --json config
  check "config: AWS_REGION read" jqe ".keys[] | select(.key == \"fs.oss.region\") | .value == \"$OSSIO_EP_REGION\" and .source == \"env\"" "$TMP/out"
  check "config: AWS_ACCESS_KEY_ID read" jqe '.keys[] | select(.key == "fs.oss.accessKeyId") | .source == "env"' "$TMP/out"
  no_secret "$TMP/out"
  run_env env -u AWS_REGION AWS_DEFAULT_REGION=eu-west-1 "$OSSIO" -D fs.oss.dialect=s3 --json config
  check "config: AWS_DEFAULT_REGION read" jqe '.keys[] | select(.key == "fs.oss.region") | .value == "eu-west-1"' "$TMP/out"
  run_env "${aws[@]}" "$OSSIO" --json config
  check "config: no AWS_* in the oss dialect" jqe '.keys[] | select(.key == "fs.oss.region") | .value == "" and .source == "default"' "$TMP/out"
}

# A tree with odd names, up and down again with -r, byte for byte (diff -r).
case_recursive() {
  local src=$TMP/src
  mkdir -p "$src/sub dir/ünï cødé" "$src/a/b/c" "$src/empty-ish"
  printf 'space' >"$src/with space.txt"
  printf 'pct' >"$src/sub dir/100% done #1?.txt"
  printf 'uni' >"$src/sub dir/ünï cødé/日本語.txt"
  printf 'plus' >"$src/a/b/c/x+y=z&w;.bin"
  : >"$src/empty-ish/zero"
  head -c 400000 /dev/urandom >"$src/a/multi.bin"
  for i in $(seq 1 30); do printf '%s' "$i" >"$src/a/b/f$i"; done
  for ep in h2 h1; do
    local -n E="EP_${ep^^}"
    run "${E[@]}" "${SMALL_PARTS[@]}" --json cp -r -j 8 "$src" "$B/$PREFIX/$ep"
    check "cp -r up ($ep): $(head -c 300 "$TMP/err")" [ "$RC" = 0 ]
    check "cp -r --json counts 36 files" jqe '(.transfers | length) == 36 and all(.transfers[]; .status == "ok")' "$TMP/out"
    run "${E[@]}" --json ls -r "$B/$PREFIX/$ep/"; check "ls -r finds 36" test "$(jq -s length "$TMP/out")" = 36
    check "odd key listed" jqe -s "any(.[]; .key == \"$PREFIX/$ep/sub dir/100% done #1?.txt\")" "$TMP/out"
    run "${E[@]}" "${SMALL_PARTS[@]}" cp -r "$B/$PREFIX/$ep" "$TMP/down-$ep"
    check "cp -r down ($ep): $(head -c 300 "$TMP/err")" [ "$RC" = 0 ]
    check "round trip is byte-exact ($ep)" diff -r "$src" "$TMP/down-$ep"
    run "${E[@]}" cp -r "$B/$PREFIX/$ep/" "$B/$PREFIX/copy-$ep/"
    check "cp -r oss→oss" [ "$RC" = 0 ]
    run "${E[@]}" cp -r "$B/$PREFIX/copy-$ep" "$TMP/copy-$ep"
    check "server-side copies are exact" diff -r "$src" "$TMP/copy-$ep"
  done
  # Entries that cannot be read do not stop the others: a dangling link fails
  # (its line, exit 1), a link to a directory is skipped, the rest is uploaded.
  local bad=$TMP/bad
  mkdir -p "$bad/d"
  printf 'one' >"$bad/d/one.txt"
  printf 'two' >"$bad/two.txt"
  ln -s /no/such/file "$bad/dangling"
  ln -s .. "$bad/d/up"
  run "${EP_H2[@]}" --json cp -r "$bad" "$B/$PREFIX/bad"
  check "cp -r with a dangling link exits 1" [ "$RC" = 1 ]
  check "the dangling link has its error line" grep -q 'dangling' "$TMP/err"
  check "the link to a directory is skipped" grep -q 'skipped: a symbolic link to a directory' "$TMP/err"
  check "the readable files were uploaded" jqe '(.transfers | length) == 2 and all(.transfers[]; .status == "ok")' "$TMP/out"
  run "${EP_H2[@]}" --json rm -r "$B/$PREFIX/bad"
  check "rm --json: one document" jqe '.command == "rm" and .count == 2 and .ok == true and (.deleted | length) == 2' "$TMP/out"
  run "${EP_H2[@]}" -q rm -r "$B/$PREFIX"; check "rm -r" test "$RC" = 0 -a ! -s "$TMP/out"
  run "${EP_H2[@]}" ls -r "$B/$PREFIX/"; check "nothing left" [ ! -s "$TMP/out" ]
}

# A file in many parts, both ways, both protocols.
case_multipart() {
  head -c 2500000 /dev/urandom >"$TMP/big"
  for ep in h2 h1; do
    local -n E="EP_${ep^^}"
    run "${E[@]}" "${SMALL_PARTS[@]}" cp "$TMP/big" "$B/$PREFIX/$ep/big"; check "multipart upload ($ep)" [ "$RC" = 0 ]
    run "${E[@]}" --json stat "$B/$PREFIX/$ep/big"; check "size" jqe '.size == 2500000' "$TMP/out"
    check "sent as 25 parts" test "$(grep -c "PUT /$OSSIO_EP_BUCKET/$PREFIX/$ep/big?partNumber=.* → 200" "$OSSIO_EP_STATE_DIR/endpoint.log")" = 25
    run "${E[@]}" "${SMALL_PARTS[@]}" cp "$B/$PREFIX/$ep/big" "$TMP/big-$ep"; check "download in parts ($ep)" cmp "$TMP/big" "$TMP/big-$ep"
    run "${E[@]}" "${SMALL_PARTS[@]}" cat "$B/$PREFIX/$ep/big"; check "cat in parts ($ep)" cmp "$TMP/big" "$TMP/out"
    run "${E[@]}" cat --range 1000000-1099999 "$B/$PREFIX/$ep/big"
    check "cat --range in the middle" cmp "$TMP/out" <(tail -c +1000001 "$TMP/big" | head -c 100000)
    # A reader that goes away: one line on why (standard output), exit 1, both ways of cat.
    for how in "--range 0-" ""; do
      # shellcheck disable=SC2086
      "$OSSIO" "${E[@]}" "${SMALL_PARTS[@]}" cat $how "$B/$PREFIX/$ep/big" 2>"$TMP/err" | head -c 10 >/dev/null
      check "cat $how | head: exit 1" [ "${PIPESTATUS[0]}" = 1 ]
      check "cat $how | head: one line: $(head -c 300 "$TMP/err")" [ "$(wc -l <"$TMP/err")" = 1 ]
      check "cat $how | head: says standard output" grep -q "cannot write standard output" "$TMP/err"
    done
    "$OSSIO" "${E[@]}" "${SMALL_PARTS[@]}" cp - "$B/$PREFIX/$ep/stdin-big" <"$TMP/big"; check "stdin upload in parts" [ $? = 0 ]
    run "${E[@]}" cat "$B/$PREFIX/$ep/stdin-big"; check "stdin upload exact" cmp "$TMP/big" "$TMP/out"
    # From a pipe, in a 1 MiB budget: the upload takes what fits, then waits for parts to leave.
    cat "$TMP/big" "$TMP/big" | "$OSSIO" "${E[@]}" "${SMALL_PARTS[@]}" -D fs.oss.memory.limit=1M \
      cp - "$B/$PREFIX/$ep/pipe-big"; check "pipe upload in parts ($ep)" [ $? = 0 ]
    run "${E[@]}" cat "$B/$PREFIX/$ep/pipe-big"
    check "pipe upload exact ($ep)" cmp "$TMP/out" <(cat "$TMP/big" "$TMP/big")
    check "pipe upload sent as 49 parts ($ep)" test "$(grep -c "PUT /$OSSIO_EP_BUCKET/$PREFIX/$ep/pipe-big?partNumber=.* → 200" "$OSSIO_EP_STATE_DIR/endpoint.log")" = 49
  done
  # Above the threshold but no larger than one part: one PutObject, no multipart upload.
  head -c 300000 /dev/urandom >"$TMP/one"
  run "${EP_H2[@]}" -D fs.oss.multipart.upload.threshold=100k -D fs.oss.multipart.upload.size=1m \
    cp "$TMP/one" "$B/$PREFIX/one"; check "upload over the threshold, within a part" [ "$RC" = 0 ]
  check "sent as one PutObject" grep -q "PUT /$OSSIO_EP_BUCKET/$PREFIX/one → 200" "$OSSIO_EP_STATE_DIR/endpoint.log"
  check "no multipart upload" bash -c '! grep -q "/$1/$2/one?" "$3"' _ "$OSSIO_EP_BUCKET" "$PREFIX" "$OSSIO_EP_STATE_DIR/endpoint.log"
}

# The bar on a terminal (script(1) gives a pseudo-terminal), none when piped or -q.
case_progress() {
  head -c 1500000 /dev/urandom >"$TMP/p.bin"
  local cmd
  cmd=$(printf '%q ' "$OSSIO" "${EP_H2[@]}" "${SMALL_PARTS[@]}" cp "$TMP/p.bin" "$B/$PREFIX/p.bin")
  script -q -c "$cmd" /dev/null >"$TMP/tty.txt" </dev/null
  check "bar under a terminal" grep -q 'ETA' "$TMP/tty.txt"
  check "bar reaches 100%" grep -q '100% 1.4 MiB / 1.4 MiB' "$TMP/tty.txt"
  run "${EP_H2[@]}" "${SMALL_PARTS[@]}" cp "$TMP/p.bin" "$B/$PREFIX/p.bin"
  check "no bar when piped" test ! -s "$TMP/err" -a ! -s "$TMP/out"
  script -q -c "$cmd -q" /dev/null >"$TMP/tty-q.txt" </dev/null
  check "no bar with -q" bash -c '! grep -q ETA "$1"' _ "$TMP/tty-q.txt"
  cmd=$(printf '%q ' "$OSSIO" "${EP_H2[@]}" "${SMALL_PARTS[@]}" cat "$B/$PREFIX/p.bin")
  script -q -c "$cmd > $(printf '%q' "$TMP/cat.out")" /dev/null >"$TMP/tty-cat.txt" </dev/null
  check "cat to a file shows the bar" grep -q 'ETA' "$TMP/tty-cat.txt"
  check "cat to a file is exact" cmp "$TMP/p.bin" "$TMP/cat.out"
}

# interrupt_when_fired PID FIELD: once a fault whose match.FIELD is $PREFIX
# has fired (the command is stalled at the server), sends SIGINT to PID and
# waits for it: its exit code in $RC, the seconds it took after SIGINT in $TOOK.
interrupt_when_fired() {
  local pid=$1 field=$2 i
  for i in $(seq 1 100); do
    curl -sf "http://127.0.0.1:$OSSIO_EP_PORT_CONTROL/faults" | jq -e ".[] | select(.match.$field == \"$PREFIX\") | .fired > 0" >/dev/null && break
    sleep 0.1
  done
  local t0=$SECONDS
  kill -INT "$pid"
  wait "$pid"
  RC=$?
  TOOK=$((SECONDS - t0))
}

# Ctrl-C during a multipart upload whose parts stall at the server: exit 130
# after the upload was aborted; nothing is left behind.
case_sigint() {
  head -c 2000000 /dev/urandom >"$TMP/s.bin"
  curl -sf -X POST "http://127.0.0.1:$OSSIO_EP_PORT_CONTROL/faults" \
    -d "{\"kind\":\"stall\",\"ms\":20000,\"count\":1000,\"match\":{\"method\":\"PUT\",\"path\":\"$PREFIX\",\"query\":\"partNumber\"}}" >/dev/null
  "$OSSIO" "${EP_H2[@]}" "${SMALL_PARTS[@]}" cp "$TMP/s.bin" "$B/$PREFIX/s.bin" >"$TMP/out" 2>"$TMP/err" &
  interrupt_when_fired $! path # parts are in flight
  check "exit 130 after SIGINT (got $RC)" [ "$RC" = 130 ]
  check "promptly (not after the 20 s stall)" [ "$TOOK" -lt 10 ]
  check "one line: interrupted" grep -qx 'ossio: cp: interrupted' "$TMP/err"
  check "no multipart upload left (ListMultipartUploads)" [ "$(node "$HERE/uploads.js" "$PREFIX/")" = 0 ]
  run "${EP_H2[@]}" stat "$B/$PREFIX/s.bin"; check "no object appeared" [ "$RC" = 3 ]
}

# Flink's readTextFile by hand: the split plan and the record count, the
# seed's call_center.dat and a generated text against wc -l.
case_splits() {
  local data=$HERE/../data/call_center.dat
  for ep in h2 h1; do
    local -n E="EP_${ep^^}"
    run "${E[@]}" cp "$data" "$B/$PREFIX/$ep/cc/data-m-00049"; check "upload ($ep)" [ "$RC" = 0 ]
    run "${E[@]}" --json splits -p 4 "$B/$PREFIX/$ep/cc/data-m-00049"
    check "4 splits covering the object ($ep)" jqe "(.splits | length) == 4 and ([.splits[].length] | add) == $(stat -c %s "$data") and .splits[0].start == 0" "$TMP/out"
    run "${E[@]}" count -p 4 "$B/$PREFIX/$ep/cc/data-m-00049"; check "count = 8 ($ep)" [ "$(cat "$TMP/out")" = 8 ]
    # A "directory": two parts and a hidden marker, as Flink writes them.
    run "${E[@]}" cp "$data" "$B/$PREFIX/$ep/cc/dir/1"
    run "${E[@]}" cp "$data" "$B/$PREFIX/$ep/cc/dir/2"
    printf '' | "$OSSIO" "${E[@]}" cp - "$B/$PREFIX/$ep/cc/dir/_SUCCESS"
    run "${E[@]}" --json count -p 3 "$B/$PREFIX/$ep/cc/dir/"
    check "directory count = 16 ($ep)" jqe '.records == 16 and .splits >= 3' "$TMP/out"
  done
  # Random lines (some empty, some long) against wc -l, with small blocks for many splits.
  awk 'BEGIN { srand(7); for (i = 0; i < 20000; i++) { n = int(rand() * 120); if (i % 997 == 0) n = 70000; s = ""; for (k = 0; k < n; k++) s = s "x"; print i s } }' >"$TMP/lines.txt"
  run "${EP_H2[@]}" cp "$TMP/lines.txt" "$B/$PREFIX/lines.txt"
  for p in 1 5 16; do
    run "${EP_H2[@]}" -D fs.oss.block.size=100000 count -p "$p" "$B/$PREFIX/lines.txt"
    check "count -p $p = wc -l" [ "$(cat "$TMP/out")" = "$(wc -l <"$TMP/lines.txt")" ]
  done
  run "${EP_H2[@]}" count -d '\x78\x78' "$B/$PREFIX/lines.txt"; check "a two-byte delimiter" [ "$RC" = 0 ]
  run "${EP_H2[@]}" count --max-record 1000 "$B/$PREFIX/lines.txt"
  check "a record over --max-record fails (exit 1)" [ "$RC" = 1 ]
  check "named OSSIO_ERECORDSIZE's text" grep -q 'record' "$TMP/err"
  expect_error 3 'no such|NoSuchKey' "${EP_H2[@]}" count "$B/$PREFIX/no-such-thing"
  expect_error 2 'delimiter' "${EP_H2[@]}" count -d '' "$B/$PREFIX/lines.txt"
  # Ctrl-C while the plan's listing stalls at the server: exit 130 at once.
  curl -sf -X POST "http://127.0.0.1:$OSSIO_EP_PORT_CONTROL/faults" \
    -d "{\"kind\":\"stall\",\"ms\":20000,\"count\":5,\"match\":{\"method\":\"GET\",\"query\":\"$PREFIX\",\"path\":\"/$OSSIO_EP_BUCKET\"}}" >/dev/null
  "$OSSIO" "${EP_H2[@]}" splits "$B/$PREFIX/stalled/" >"$TMP/out" 2>"$TMP/err" &
  interrupt_when_fired $! query # the listing is stalled
  check "splits: exit 130 after SIGINT (got $RC)" [ "$RC" = 130 ]
  check "splits: promptly" [ "$TOOK" -lt 10 ]
  check "splits: one line, interrupted" [ "$(cat "$TMP/err")" = "ossio: splits: interrupted" ]
  curl -sf -X DELETE "http://127.0.0.1:$OSSIO_EP_PORT_CONTROL/faults?path=/$OSSIO_EP_BUCKET" >/dev/null
}

# ossio bench, every workload with --count: the --json report's counts are
# exact (bytes = count x size), percentiles ordered, no errors, nothing left
# behind. Never a figure of speed or time.
bench_ok() { # what, then jq checks on $TMP/out
  local what=$1
  shift
  check "bench $what exits 0: $(head -c 300 "$TMP/err")" [ "$RC" = 0 ]
  check "bench $what: valid JSON, no errors" jqe '.command == "bench" and .errors == 0 and .retries >= 0' "$TMP/out"
  check "bench $what: percentiles ordered" jqe 'all(.kinds[]; .latency_ms as $l | $l.p50 <= $l.p90 and $l.p90 <= $l.p99 and $l.p99 <= $l["p99.9"] and $l["p99.9"] <= $l.max and $l.max > 0)' "$TMP/out"
  local q
  for q in "$@"; do check "bench $what: $q" jqe "$q" "$TMP/out"; done
}

case_bench() {
  local P=(--prefix "$PREFIX/b")
  for ep in h2 h1; do
    local -n E="EP_${ep^^}"
    local proto=h2; [ "$ep" = h1 ] && proto=http/1.1
    run "${E[@]}" --json bench put --count 6 --size 250k --part-size 100k -c 4 "${P[@]}" "$B"
    bench_ok "put ($ep, multipart)" '.workload == "put" and .ops == 6 and .kinds.put.ops == 6 and .bytes == 6 * 256000 and .kinds.put.bytes == .bytes' \
      ".protocol == \"$proto\" and .connections_opened >= 1 and .cpu_s >= 0 and .peak_rss_mib > 0 and (.timeline | length) >= 1"
    run "${E[@]}" --json bench put --count 5 --size 10k "${P[@]}" "$B"
    bench_ok "put ($ep, single)" '.kinds.put.ops == 5 and .bytes == 5 * 10240'
    run "${E[@]}" --json bench get --count 7 --size 300k --part-size 100k -c 3 --objects 2 "${P[@]}" "$B"
    bench_ok "get ($ep, objects it put)" '.kinds.get.ops == 7 and .bytes == 7 * 307200 and (.kinds | keys) == ["get"]'
    run "${E[@]}" --json bench small --count 5 --size 3k -c 2 "${P[@]}" "$B"
    bench_ok "small ($ep)" '.ops == 15 and .kinds.put.ops == 5 and .kinds.get.ops == 5 and .kinds.delete.ops == 5' \
      '.bytes == 2 * 5 * 3072 and .kinds.get.bytes == 5 * 3072 and .kinds.delete.bytes == 0'
    run "${E[@]}" --json bench list --count 3 --objects 12 --size 1 "${P[@]}" "$B"
    bench_ok "list ($ep)" '.kinds.list.ops == 3 and .list_entries == 36 and .bytes == 0'
    run "${E[@]}" --json bench mixed --count 10 --ratio 3:2 --size 20k -c 4 "${P[@]}" "$B"
    bench_ok "mixed ($ep)" '.ops == 10 and .kinds.get.ops == 6 and .kinds.put.ops == 4 and .bytes == 10 * 20480'
    # With listings, one at a time (-c 1) in the order LIST GET PUT GET: the
    # listings see the 3 objects put first, then also put-0, then put-1
    # (3 + 4 + 5 entries); the third PUT overwrites put-0 (--keys 2).
    run "${E[@]}" --keep --json bench mixed --count 12 --ratio 2:1:1 --keys 2 --objects 3 --size 1k -c 1 \
      --prefix "$PREFIX/m$ep" "$B"
    bench_ok "mixed with listings ($ep)" '.kinds.get.ops == 6 and .kinds.put.ops == 3 and .kinds.list.ops == 3' \
      '.bytes == 9 * 1024 and .list_entries == 12'
    run "${E[@]}" ls "$B/$PREFIX/m$ep/"
    check "--keys 2: PUTs overwrite put-0 and put-1 ($ep)" [ "$(grep -c '/put-' "$TMP/out")" = 2 ]
    "$OSSIO" "${E[@]}" -q rm -r "$B/$PREFIX/m$ep" >/dev/null 2>&1
  done
  run "${EP_H2[@]}" ls -r "$B/$PREFIX/"; check "bench removed its objects" [ ! -s "$TMP/out" ]
  # An existing object: whole GETs, then ranged GETs walking it.
  head -c 1000000 /dev/urandom >"$TMP/obj"
  run "${EP_H2[@]}" cp "$TMP/obj" "$B/$PREFIX/obj"
  run "${EP_H2[@]}" --json bench get --count 4 --part-size 300k "$B/$PREFIX/obj"
  bench_ok "get of an object, whole" '.kinds.get.ops == 4 and .bytes == 4 * 1000000 and .object != null'
  run "${EP_H2[@]}" --json bench get --count 9 --size 100k -c 3 "$B/$PREFIX/obj"
  bench_ok "get of an object, ranged" '.kinds.get.ops == 9 and .bytes == 9 * 102400'
  run "${EP_H2[@]}" --keep --json bench put --count 2 --size 1k "${P[@]}" "$B"
  check "--keep keeps" [ "$("$OSSIO" "${EP_H2[@]}" ls -r "$B/$PREFIX/b/" | wc -l)" = 2 ]
  # Text report.
  run "${EP_H2[@]}" bench get --count 3 --size 1k "$B/$PREFIX/obj"
  check "text report" grep -qE '^get +3 ' "$TMP/out"
  check "text report: throughput" grep -q '^throughput ' "$TMP/out"
  # HTTP/1.1 carries one exchange per connection: -c raises
  # fs.oss.connection.maximum (default 32) to the concurrency, unless set.
  # Each GET stalls 300 ms at the server, so every one holds its connection.
  curl -sf -X POST "http://127.0.0.1:$OSSIO_EP_PORT_CONTROL/faults" \
    -d "{\"kind\":\"stall\",\"ms\":300,\"count\":1000,\"match\":{\"method\":\"GET\",\"path\":\"$PREFIX/obj\"}}" >/dev/null
  run "${EP_H1[@]}" --json bench get --count 40 --size 1k -c 40 "$B/$PREFIX/obj"
  bench_ok "h1 -c 40: more connections than the default 32" '.connections_opened > 32 and .connections_opened <= 40'
  run "${EP_H1[@]}" -D fs.oss.connection.maximum=8 --json bench get --count 40 --size 1k -c 40 "$B/$PREFIX/obj"
  bench_ok "h1 -c 40, -D connection.maximum=8: the user's value wins" '.connections_opened <= 8'
  curl -sf -X DELETE "http://127.0.0.1:$OSSIO_EP_PORT_CONTROL/faults?path=$PREFIX/obj" >/dev/null
  # A missing object: errors by kind, exit 1.
  run "${EP_H2[@]}" --json bench get --count 3 "$B/$PREFIX/missing"
  check "bench of a missing object exits 1" [ "$RC" = 1 ]
  check "errors by status" jqe '.errors == 3 and .kinds.get.errors == 3 and .kinds.get.errors_by_status.OSSIO_ENOTFOUND == 3 and .bytes == 0' "$TMP/out"
  check "one summary line" grep -q 'get OSSIO_ENOTFOUND 3' "$TMP/err"
  expect_error 2 "unknown workload" "${EP_H2[@]}" bench fly "$B"
  expect_error 2 "names an object" "${EP_H2[@]}" bench put --count 1 "$B/$PREFIX/obj"
  expect_error 2 "--ratio" "${EP_H2[@]}" bench get --ratio 1:1 "$B"
  expect_error 2 "--ratio" "${EP_H2[@]}" bench mixed --ratio 1:1:1:1 "$B"
  expect_error 2 "--keys" "${EP_H2[@]}" bench get --keys 4 "$B"
  expect_error 2 "--size" "${EP_H2[@]}" bench put --size 12q "$B"
  if command -v gnuplot >/dev/null; then
    run "${EP_H2[@]}" bench put --count 4 --size 2k --plot "$TMP/b.png" "${P[@]}" "$B"
    check "--plot writes a PNG" bash -c 'head -c 4 "$1" | grep -q PNG' _ "$TMP/b.png"
  else
    echo "skip: --plot (no gnuplot; ./dev deps installs gnuplot-nox)"
  fi
}

# bench get of a key set (issue 15.5): oss://b/prefix/ reads every object
# under it (listed first, every page), --keys-from FILE the keys or URIs of
# its lines (repeats dropped). -n defaults to one pass, each key once; a
# larger -n cycles in listing order; "keys" counts the distinct keys read.
# Distinct sizes make the byte counts say which objects were read.
case_bench_keys() {
  local S="$B/$PREFIX/set" i
  local keys=(k0 k1 k2 k3 sub/k4) # the listing's order
  for i in 0 1 2 3 4; do
    head -c $((1000 + 100 * i)) /dev/urandom >"$TMP/o$i"
    run "${EP_H2[@]}" cp "$TMP/o$i" "$S/${keys[$i]}"; check "upload ${keys[$i]}" [ "$RC" = 0 ]
  done
  run "${EP_H2[@]}" cp "$TMP/o0" "$B/$PREFIX/settle"; check "upload beside the prefix" [ "$RC" = 0 ]
  local P=(-D fs.oss.paging.maximum=2) # three pages
  for ep in h2 h1; do
    local -n E="EP_${ep^^}"
    run "${E[@]}" "${P[@]}" --json bench get -c 2 "$S/"
    bench_ok "get of a prefix, one pass ($ep)" '.ops == 5 and .kinds.get.ops == 5 and .count == 5' \
      ".keys == 5 and .key_set == 5 and .keys_from == null and .bytes == 6000 and .object == null and .prefix == \"$S/\""
  done
  run "${EP_H2[@]}" --json bench get -n 12 -c 3 "$S/"
  bench_ok "get of a prefix, -n 12 cycles" '.ops == 12 and .keys == 5 and .bytes == 2 * 6000 + 1000 + 1100'
  run "${EP_H2[@]}" --json bench get -n 3 -c 1 "$S/"
  bench_ok "get of a prefix, -n 3: the first three" '.ops == 3 and .keys == 3 and .key_set == 5 and .bytes == 1000 + 1100 + 1200'
  run "${EP_H2[@]}" --json bench get --duration 0.3 -c 2 "$S/"
  bench_ok "get of a prefix, --duration cycles" '.ops >= 1 and .keys == ([.ops, 5] | min) and .count == 0'
  # Keys joined to the prefix, a full URI, a repeat, a blank line, CRLF.
  printf 'k1\nsub/k4\n%s\nk1\n\nk2\r\n' "$S/k3" >"$TMP/keys"
  run "${EP_H2[@]}" --json bench get --keys-from "$TMP/keys" "$S/"
  bench_ok "--keys-from, keys and URIs" '.ops == 4 and .keys == 4 and .key_set == 4 and .bytes == 1100 + 1400 + 1300 + 1200' \
    ".keys_from == \"$TMP/keys\" and .prefix == \"$S/\""
  printf '%s\n' "$PREFIX/set/k0" >"$TMP/one"
  run "${EP_H2[@]}" bench get -n 3 --keys-from "$TMP/one" "$B"
  check "--keys-from against the bucket: text report" grep -qE '^keys +1 distinct read, of 1 in ' "$TMP/out"
  check "three GETs of one key" grep -qE '^get +3 ' "$TMP/out"
  # A listed key gone by the time it is read: an error of the run, exit 1.
  printf 'k0\ngone\n' >"$TMP/gone"
  run "${EP_H2[@]}" --json bench get --keys-from "$TMP/gone" "$S/"
  check "a missing key: exit 1" [ "$RC" = 1 ]
  check "a missing key: one error" jqe '.ops == 2 and .errors == 1 and .kinds.get.errors_by_status.OSSIO_ENOTFOUND == 1 and .bytes == 1000' "$TMP/out"
  run "${EP_H2[@]}" ls -r "$B/$PREFIX/"
  check "nothing put, nothing removed" [ "$(wc -l <"$TMP/out")" = 6 ]
  expect_error 3 "no object under this prefix" "${EP_H2[@]}" bench get "$B/$PREFIX/empty/"
  expect_error 1 "No such file" "${EP_H2[@]}" bench get --keys-from "$TMP/nope" "$S/"
  : >"$TMP/empty"
  expect_error 2 "no keys in it" "${EP_H2[@]}" bench get --keys-from "$TMP/empty" "$S/"
  expect_error 2 "--keys-from is for get" "${EP_H2[@]}" bench put --keys-from "$TMP/keys" "$B"
  expect_error 2 "--keys-from is for get" "${EP_H2[@]}" bench get --keys-from "$TMP/keys" "$S/k0"
  expect_error 2 "whole GETs" "${EP_H2[@]}" bench get --size 1k "$S/"
}

# Issue 13 item 7: `count -d '||'` over records holding '|' ("|7|x", so the
# object is full of "|||") gives one count whatever the block size and -p.
case_delims() {
  awk 'BEGIN { for (i = 0; i < 90000; i++) printf "|%d|x||", i }' >"$TMP/pipes.txt"
  run "${EP_H2[@]}" cp "$TMP/pipes.txt" "$B/$PREFIX/pipes.txt"; check "upload" [ "$RC" = 0 ]
  local bs p
  for bs in 4096:4 4097:16 65536:2 1000000000:1; do
    p=${bs#*:}
    run "${EP_H2[@]}" -D "fs.oss.block.size=${bs%:*}" --json count -d '||' -p "$p" "$B/$PREFIX/pipes.txt"
    check "count -d '||' with block ${bs%:*}, -p $p: 90000 ($(cat "$TMP/out" "$TMP/err" | head -c 200))" \
      jqe '.records == 90000' "$TMP/out"
  done
}

# A server whose listing pages are broken (a truncated page with no way
# forward, a token that comes back forever): ls, rm -r, cp -r and splits
# each fail with the named error, exit 1, after at most two pages, and
# rm -r deletes nothing from the partial list.
case_paging() {
  local ctl="http://127.0.0.1:$OSSIO_EP_PORT_CONTROL"
  arm_page() {
    curl -sf -X POST "$ctl/faults" -d "{\"kind\":\"$1\",\"count\":$2,\"match\":{\"path\":\"/$OSSIO_EP_BUCKET\",\"query\":\"$PREFIX\"}}" >/dev/null
  }
  fired_clear() { curl -sf -X DELETE "$ctl/faults?path=/$OSSIO_EP_BUCKET&query=$PREFIX" | jq '[.[].fired] | add // 0'; }
  local n
  for n in a b c d e; do
    printf '%s\n' "$n" >"$TMP/$n"
    run "${EP_H2[@]}" cp "$TMP/$n" "$B/$PREFIX/d/$n"; check "upload $n" [ "$RC" = 0 ]
  done
  local P=(-D fs.oss.paging.maximum=2)
  for ep in h2 h1; do
    local -n E="EP_${ep^^}"
    arm_page list-repeat-token 50
    expect_error 1 'NextContinuationToken .* already used' "${E[@]}" "${P[@]}" ls -r "$B/$PREFIX/"
    check "ls: two pages asked, not fifty ($ep)" [ "$(fired_clear)" = 2 ]
    arm_page list-no-token 1
    expect_error 1 'NextContinuationToken missing' "${E[@]}" "${P[@]}" rm -r "$B/$PREFIX/d/"
    fired_clear >/dev/null
    run "${E[@]}" ls -r "$B/$PREFIX/d/"; check "rm -r deleted nothing ($ep)" [ "$(wc -l <"$TMP/out")" = 5 ]
    arm_page list-no-token 1
    expect_error 1 'NextContinuationToken missing' "${E[@]}" "${P[@]}" cp -r "$B/$PREFIX/d/" "$TMP/copy-$ep"
    fired_clear >/dev/null
    check "cp -r copied nothing ($ep)" [ ! -e "$TMP/copy-$ep" ]
    arm_page list-repeat-token 50
    expect_error 1 'already used' "${E[@]}" "${P[@]}" splits "$B/$PREFIX/d/"
    check "splits: two pages asked ($ep)" [ "$(fired_clear)" = 2 ]
  done
}

"case_$CASE"
[ "$FAILED" = 0 ] && echo "PASS: $CASE"
exit "$FAILED"
