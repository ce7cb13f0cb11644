#!/usr/bin/env bash
# ossio cp --resume against the local endpoint (issue 14.5): an upload killed
# with SIGKILL continues from its checkpoint, and a checkpoint that no longer
# fits is refused. resume_test.sh <ossio binary> <case>. Kills land where the
# endpoint stalls parts, seen in the checkpoint itself: never on a timer.
set -uo pipefail

OSSIO=$1
CASE=$2
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
set -a
# shellcheck disable=SC1091
. "$OSSIO_ENDPOINT_STATE/endpoint.env"
set +a
unset OSS_ENDPOINT OSS_REGION OSS_SESSION_TOKEN FLINK_CONF_DIR HADOOP_CONF_DIR
unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_ENDPOINT_URL
export OSS_ACCESS_KEY_ID=$OSSIO_EP_ACCESS_KEY_ID
export OSS_ACCESS_KEY_SECRET=$OSSIO_EP_ACCESS_KEY_SECRET

B=oss://$OSSIO_EP_BUCKET
PREFIX="cli-resume-$CASE-$$-$RANDOM"
TMP=$(mktemp -d)
CTL="http://127.0.0.1:$OSSIO_EP_PORT_CONTROL"
EP=(--endpoint "https://localhost:$OSSIO_EP_PORT_H2_TLS" -D fs.oss.path.style.access=true
    -D "fs.oss.connection.ca.file=$OSSIO_EP_CA_FILE"
    -D fs.oss.multipart.upload.size=100k -D fs.oss.multipart.upload.threshold=100k)
FAILED=0

cleanup() {
  [ -n "${BG:-}" ] && kill -9 "$BG" 2>/dev/null
  curl -s -X DELETE "$CTL/faults?path=$PREFIX" >/dev/null
  "$OSSIO" "${EP[@]}" -q rm -r "$B/$PREFIX" >/dev/null 2>&1
  rm -rf "$TMP"
}
trap cleanup EXIT

fail() { echo "FAIL: $*" >&2; FAILED=1; }
check() { local what=$1; shift; if "$@"; then echo "ok: $what"; else fail "$what"; fi; }

run() {
  "$OSSIO" "$@" >"$TMP/out" 2>"$TMP/err"
  RC=$?
}

# Stalls part PUTs whose query has $1 ("partNumber" for all of them).
stall_parts() {
  curl -sf -X POST "$CTL/faults" \
    -d "{\"kind\":\"stall\",\"ms\":60000,\"count\":100,\"match\":{\"method\":\"PUT\",\"path\":\"$PREFIX\",\"query\":\"$1\"}}" >/dev/null
}
unstall() { curl -sf -X DELETE "$CTL/faults?path=$PREFIX" >/dev/null; }

# start_and_kill CKPT MIN_PARTS ARGS...: runs ossio cp --resume ARGS in the
# background and SIGKILLs it once CKPT exists with at least MIN_PARTS parts.
start_and_kill() {
  local ck=$1 min=$2 i
  shift 2
  "$OSSIO" "${EP[@]}" cp --resume "$@" >"$TMP/bg.out" 2>"$TMP/bg.err" &
  BG=$!
  for i in $(seq 1 600); do
    if [ -f "$ck" ] && [ "$(grep -c '^part ' "$ck")" -ge "$min" ]; then break; fi
    kill -0 "$BG" 2>/dev/null || break
    sleep 0.05
  done
  check "checkpoint written with >= $min parts before the kill" \
    bash -c '[ -f "$1" ] && [ "$(grep -c "^part " "$1")" -ge "$2" ]' _ "$ck" "$min"
  kill -9 "$BG" 2>/dev/null
  wait "$BG" 2>/dev/null
  BG=
}

# resumed_ok SRC KEY CKPT ARGS...: the second run completes from the
# checkpoint; prints how many parts were already there in $THERE.
resumed_ok() {
  local src=$1 key=$2 ck=$3
  shift 3
  run "${EP[@]}" -v cp --resume "$@" "$src" "$B/$PREFIX/$key"
  check "resumed run exits 0: $(head -c 300 "$TMP/err")" [ "$RC" = 0 ]
  THERE=$(sed -n 's/.*resuming upload .*: \([0-9]*\) of \([0-9]*\) parts already there.*/\1/p' "$TMP/err")
  check "the second run continued the checkpoint's upload" [ -n "$THERE" ]
  check "checkpoint removed on success" [ ! -e "$ck" ]
  run "${EP[@]}" cp "$B/$PREFIX/$key" "$TMP/back.bin"
  check "object is byte-exact" cmp -s "$src" "$TMP/back.bin"
  check "no multipart upload left" [ "$(node "$HERE/uploads.js" "$PREFIX/")" = 0 ]
}

# Killed while parts 5-8 stall at the server, after some of 1-4 are stored.
case_mid_parts() {
  head -c 800000 /dev/urandom >"$TMP/f.bin" # 8 parts of 100 KiB
  local ck="$TMP/f.bin.ossio-ucp" n
  for n in 5 6 7 8; do stall_parts "partNumber=$n"; done
  start_and_kill "$ck" 1 "$TMP/f.bin" "$B/$PREFIX/f.bin"
  check "checkpoint format: magic and version first" [ "$(head -n 1 "$ck")" = "ossio-ucp 1" ]
  check "checkpoint names the destination" grep -qx "dest $B/$PREFIX/f.bin" "$ck"
  check "checkpoint has the upload id" grep -qE '^upload_id [^ ]+$' "$ck"
  unstall
  resumed_ok "$TMP/f.bin" f.bin "$ck"
  check "fewer parts sent than all (already there: $THERE of 8)" [ "${THERE:-0}" -ge 1 -a "${THERE:-8}" -lt 8 ]
}

# Ctrl-C (over HTTP/1.1) after some parts: exit 130, the upload is kept on
# the server and named by the checkpoint, and the next run finishes it.
case_sigint() {
  EP=(--endpoint "https://$OSSIO_EP_ENDPOINT_HOST:$OSSIO_EP_PORT_H1_TLS"
      --resolve "$OSSIO_EP_BUCKET.$OSSIO_EP_ENDPOINT_HOST:$OSSIO_EP_PORT_H1_TLS:127.0.0.1"
      -D "fs.oss.connection.ca.file=$OSSIO_EP_CA_FILE" --http1.1
      -D fs.oss.multipart.upload.size=100k -D fs.oss.multipart.upload.threshold=100k)
  head -c 800000 /dev/urandom >"$TMP/i.bin"
  local ck="$TMP/i.bin.ossio-ucp" n i
  for n in 5 6 7 8; do stall_parts "partNumber=$n"; done
  "$OSSIO" "${EP[@]}" cp --resume "$TMP/i.bin" "$B/$PREFIX/i.bin" >/dev/null 2>"$TMP/bg.err" &
  BG=$!
  for i in $(seq 1 600); do
    [ -f "$ck" ] && [ "$(grep -c '^part ' "$ck")" -ge 1 ] && break
    sleep 0.05
  done
  kill -INT "$BG"; wait "$BG"; RC=$?; BG=
  check "exit 130 after SIGINT (got $RC)" [ "$RC" = 130 ]
  check "checkpoint kept" [ -f "$ck" ]
  check "the upload is kept on the server" [ "$(node "$HERE/uploads.js" "$PREFIX/")" = 1 ]
  unstall
  resumed_ok "$TMP/i.bin" i.bin "$ck"
  check "fewer parts sent than all (already there: $THERE of 8)" [ "${THERE:-0}" -ge 1 -a "${THERE:-8}" -lt 8 ]
}

# Killed right after InitiateMultipartUpload (every part stalls); the
# checkpoint lives in --checkpoint-dir.
case_after_init() {
  head -c 800000 /dev/urandom >"$TMP/g.bin"
  mkdir "$TMP/ck"
  stall_parts partNumber
  "$OSSIO" "${EP[@]}" cp --resume --checkpoint-dir "$TMP/ck" "$TMP/g.bin" "$B/$PREFIX/g.bin" >/dev/null 2>&1 &
  BG=$!
  local i ck=
  for i in $(seq 1 600); do
    ck=$(find "$TMP/ck" -name '*.ossio-ucp' | head -n 1)
    [ -n "$ck" ] && break
    sleep 0.05
  done
  kill -9 "$BG"; wait "$BG" 2>/dev/null; BG=
  check "checkpoint in --checkpoint-dir: $ck" [ -n "$ck" ]
  check "no part recorded yet" [ "$(grep -c '^part ' "$ck")" = 0 ]
  check "nothing beside the source" [ ! -e "$TMP/g.bin.ossio-ucp" ]
  unstall
  cp "$ck" "$TMP/saved.ucp"
  resumed_ok "$TMP/g.bin" g.bin "$ck" --checkpoint-dir "$TMP/ck"
  check "all 8 parts sent by the second run" [ "$THERE" = 0 ]
  # The same checkpoint again: its upload was completed, it is gone.
  cp "$TMP/saved.ucp" "$ck"
  run "${EP[@]}" cp --resume --checkpoint-dir "$TMP/ck" "$TMP/g.bin" "$B/$PREFIX/g.bin"
  check "a vanished upload: exit 3 (got $RC)" [ "$RC" = 3 ]
  check "says the upload no longer exists: $(cat "$TMP/err")" grep -q 'no longer exists on the server (NoSuchUpload)' "$TMP/err"
  check "the checkpoint is kept" [ -e "$ck" ]
}

# expect_refusal PATTERN ARGS...: exit 1, one line matching PATTERN, nothing uploaded.
expect_refusal() {
  local pattern=$1
  shift
  run "${EP[@]}" cp --resume "$@"
  check "refused, exit 1 (got $RC): $*" [ "$RC" = 1 ]
  check "one error line: $(head -c 300 "$TMP/err")" [ "$(wc -l <"$TMP/err")" = 1 ]
  check "error names it: '$pattern'" grep -qE -- "$pattern" "$TMP/err"
}

# A checkpoint that does not fit the file, destination or part size, or is damaged.
case_refused() {
  head -c 800000 /dev/urandom >"$TMP/h.bin"
  local ck="$TMP/h.bin.ossio-ucp" k="$B/$PREFIX/h.bin"
  stall_parts partNumber
  start_and_kill "$ck" 0 "$TMP/h.bin" "$k"
  unstall
  cp "$ck" "$TMP/good.ucp"
  expect_refusal 'the destination differs' "$TMP/h.bin" "$B/$PREFIX/other.bin"
  expect_refusal 'part size' -D fs.oss.multipart.upload.size=200k "$TMP/h.bin" "$k"
  touch -d '2001-01-01' "$TMP/h.bin"
  expect_refusal 'source file was modified' "$TMP/h.bin" "$k"
  printf 'x' >>"$TMP/h.bin"
  expect_refusal "source file's size changed" "$TMP/h.bin" "$k"
  check "the checkpoint is left as it was" cmp -s "$ck" "$TMP/good.ucp"
  truncate -s -1 "$TMP/h.bin"
  sed 's/^size /size 1/' "$TMP/good.ucp" >"$ck"
  expect_refusal 'cannot be used: line [0-9]+: checksum mismatch' "$TMP/h.bin" "$k"
  head -c 40 "$TMP/good.ucp" >"$ck"
  expect_refusal 'cannot be used: line [0-9]+: .*(cut|early)' "$TMP/h.bin" "$k"
  printf 'hello\n' >"$ck"
  expect_refusal 'not an ossio checkpoint' "$TMP/h.bin" "$k"
  sed '1s/1$/9/' "$TMP/good.ucp" >"$ck"
  expect_refusal 'a version this ossio cannot read' "$TMP/h.bin" "$k"
  run "${EP[@]}" stat "$k"; check "nothing was uploaded" [ "$RC" = 3 ]
  run "${EP[@]}" cp --resume -r "$TMP" "$B/$PREFIX/t/"
  check "--resume with -r is a usage error" [ "$RC" = 2 ]
}

"case_$CASE"
[ "$FAILED" = 0 ] && echo "PASS: $CASE"
exit "$FAILED"
