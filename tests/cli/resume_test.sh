#!/usr/bin/env bash
# ossio cp --resume against the local endpoint (issue 14.5): an upload or a
# download killed with SIGKILL continues from its checkpoint (a download
# fetching only the missing parts), and a checkpoint that no longer fits, or
# an object overwritten since, is refused. resume_test.sh <ossio binary>
# <case>. Kills land where the endpoint stalls parts (part PUTs, ranged
# GETs), seen in the checkpoint itself: never on a timer.
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
    -D fs.oss.multipart.upload.size=100k -D fs.oss.multipart.upload.threshold=100k
    -D fs.oss.multipart.download.size=100k -D fs.oss.multipart.download.threads=4)
FAILED=0
# Downloads: an 800000-byte object is 8 parts of PS bytes (the last shorter).
PS=102400
KEY="$B/$PREFIX/o.bin"
OUT="$TMP/out.bin"
CK="$OUT.ossio-dcp"
PART="$OUT.ossio-partial"

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

# ---- downloads ----------------------------------------------------------

# Stalls the ranged GETs that start at byte $1.
stall_get_from() {
  curl -sf -X POST "$CTL/faults" \
    -d "{\"kind\":\"stall\",\"ms\":60000,\"count\":100,\"match\":{\"method\":\"GET\",\"path\":\"$PREFIX\",\"rangeStart\":$1}}" >/dev/null
}
stall_get_parts() { local n; for n in "$@"; do stall_get_from $(((n - 1) * PS)); done; }

dl_put_object() {
  head -c 800000 /dev/urandom >"$TMP/src.bin"
  run "${EP[@]}" cp "$TMP/src.bin" "$KEY"
  check "object uploaded" [ "$RC" = 0 ]
}


# The sum of the part sizes the checkpoint lists.
dl_bytes_listed() { awk '/^part / { s += $3 } END { print s + 0 }' "$CK"; }

# dl_resumed_ok WANT_BYTES: the next run completes, fetching WANT_BYTES.
dl_resumed_ok() {
  local want=$1
  run "${EP[@]}" --json cp --resume "$KEY" "$OUT"
  check "resumed run exits 0: $(head -c 300 "$TMP/err")" [ "$RC" = 0 ]
  local got
  got=$(jq -r '.transfers[0].bytes' "$TMP/out")
  check "fetched $want bytes (got $got)" [ "$got" = "$want" ]
  check "download is byte-exact" cmp -s "$TMP/src.bin" "$OUT"
  check "checkpoint removed on success" [ ! -e "$CK" ]
  check "partial file renamed away" [ ! -e "$PART" ]
}

# Killed while parts 5-8 stall, after some of parts 1-4 are written and synced.
case_dl_mid_parts() {
  dl_put_object
  stall_get_parts 5 6 7 8
  start_and_kill "$CK" 1 "$KEY" "$OUT"
  check "checkpoint format: magic and version first" [ "$(head -n 1 "$CK")" = "ossio-dcp 1" ]
  check "checkpoint names the object" grep -qx "source $KEY" "$CK"
  check "checkpoint has the ETag" grep -qE '^etag ".+"$' "$CK"
  check "checkpoint has the size" grep -qx "size 800000" "$CK"
  check "checkpoint has the CRC-64" grep -qE '^crc64 [0-9a-f]{16}$' "$CK"
  check "the destination is not there yet" [ ! -e "$OUT" ]
  check "the partial file is, at the object's size" [ "$(stat -c %s "$PART")" = 800000 ]
  local listed
  listed=$(dl_bytes_listed)
  check "some but not all parts listed ($listed bytes)" [ "$listed" -gt 0 -a "$listed" -lt 800000 ]
  unstall
  dl_resumed_ok $((800000 - listed))
}

# Killed before any part is done (every GET stalls): no checkpoint yet; the
# next run starts over and leaves nothing behind.
case_dl_before_parts() {
  dl_put_object
  stall_get_from 0
  "$OSSIO" "${EP[@]}" cp --resume "$KEY" "$OUT" >/dev/null 2>&1 &
  BG=$!
  local i
  for i in $(seq 1 200); do [ -e "$PART" ] && break; sleep 0.05; done
  sleep 0.5
  kill -9 "$BG"; wait "$BG" 2>/dev/null; BG=
  check "no checkpoint before the object is known" [ ! -e "$CK" ]
  unstall
  dl_resumed_ok 800000
  # Killed again after parts, then once more: a second resume of a resume.
  stall_get_parts 3 4 5 6 7 8
  rm -f "$OUT"
  start_and_kill "$CK" 2 "$KEY" "$OUT"
  local first
  first=$(dl_bytes_listed)
  unstall
  stall_get_parts 7 8
  start_and_kill "$CK" 3 "$KEY" "$OUT"
  local second
  second=$(dl_bytes_listed)
  check "the second run added parts ($first -> $second)" [ "$second" -gt "$first" ]
  unstall
  dl_resumed_ok $((800000 - second))
}

# Ctrl-C after some parts: exit 130, the partial file and the checkpoint
# are kept (current: the parts written before the cancel are synced and
# listed), and the next run fetches the rest.
case_dl_sigint() {
  dl_put_object
  stall_get_parts 5 6 7 8
  "$OSSIO" "${EP[@]}" cp --resume "$KEY" "$OUT" >/dev/null 2>"$TMP/bg.err" &
  BG=$!
  local i
  for i in $(seq 1 600); do
    [ -f "$CK" ] && [ "$(grep -c '^part ' "$CK")" -ge 1 ] && break
    sleep 0.05
  done
  kill -INT "$BG"; wait "$BG"; RC=$?; BG=
  check "exit 130 after SIGINT (got $RC)" [ "$RC" = 130 ]
  check "checkpoint kept" [ -f "$CK" ]
  check "partial file kept" [ -f "$PART" ]
  check "no destination yet" [ ! -e "$OUT" ]
  unstall
  dl_resumed_ok $((800000 - $(dl_bytes_listed)))
}

# dl_expect_refusal PATTERN [ARGS...]: exit 1, one error line matching PATTERN.
dl_expect_refusal() {
  local pattern=$1
  shift
  run "${EP[@]}" "$@" cp --resume "$KEY" "$OUT"
  check "refused, exit 1 (got $RC)" [ "$RC" = 1 ]
  check "one error line: $(head -c 400 "$TMP/err")" [ "$(wc -l <"$TMP/err")" = 1 ]
  check "error names it: '$pattern'" grep -qE -- "$pattern" "$TMP/err"
}

# The object is overwritten between the runs: refused, the destination's old
# content untouched, the checkpoint and partial file kept.
case_dl_changed() {
  dl_put_object
  printf 'the previous content\n' >"$OUT"
  stall_get_parts 5 6 7 8
  start_and_kill "$CK" 1 "$KEY" "$OUT"
  unstall
  head -c 800000 /dev/urandom >"$TMP/other.bin"
  run "${EP[@]}" cp "$TMP/other.bin" "$KEY"
  cp "$CK" "$TMP/ck.saved"
  dl_expect_refusal 'is no longer the one checkpoint .* names \(the object changed'
  check "the destination is untouched" [ "$(cat "$OUT")" = "the previous content" ]
  check "the checkpoint is kept as it was" cmp -s "$CK" "$TMP/ck.saved"
  check "the partial file is kept" [ -e "$PART" ]
  # Seven parts of eight present and the object replaced: the last part's
  # If-Match refuses it (the HEAD when all are present: tests/transfer).
  rm -f "$CK" "$PART"
  run "${EP[@]}" cp "$TMP/src.bin" "$KEY"
  stall_get_parts 8
  start_and_kill "$CK" 7 "$KEY" "$OUT"
  unstall
  run "${EP[@]}" cp "$TMP/other.bin" "$KEY"
  dl_expect_refusal 'the object changed'
  check "the destination is still untouched" [ "$(cat "$OUT")" = "the previous content" ]
}

# The partial file or the settings differ from what the checkpoint says.
case_dl_refused() {
  dl_put_object
  stall_get_parts 5 6 7 8
  start_and_kill "$CK" 2 "$KEY" "$OUT"
  unstall
  cp "$CK" "$TMP/ck.saved"
  cp "$PART" "$TMP/part.saved"
  printf 'X' | dd of="$PART" bs=1 seek=100 conv=notrunc status=none
  dl_expect_refusal 'does not match: the partial file was modified \(part 1 differs\)'
  cp "$TMP/part.saved" "$PART" # cp keeps the inode
  truncate -s 700000 "$PART"
  dl_expect_refusal "does not match: the partial file's size changed"
  cp "$TMP/part.saved" "$PART"
  mv "$PART" "$TMP/kept" # mv keeps the inode: put back below
  cp "$TMP/kept" "$PART"
  dl_expect_refusal 'does not match: the partial file was replaced'
  rm -f "$PART"
  dl_expect_refusal 'does not match: the partial file is gone'
  check "the checkpoint is left as it was" cmp -s "$CK" "$TMP/ck.saved"
  sed 's/^size /size 1/' "$TMP/ck.saved" >"$CK"
  dl_expect_refusal 'cannot be used: line [0-9]+: checksum mismatch'
  sed '1s/1$/7/' "$TMP/ck.saved" >"$CK"
  dl_expect_refusal 'a version this ossio cannot read'
  cp "$TMP/ck.saved" "$CK"
  mv "$TMP/kept" "$PART"
  dl_expect_refusal 'part size \(fs.oss.multipart.download.size\) differs' \
    -D fs.oss.multipart.download.size=200k
  check "nothing written to the destination" [ ! -e "$OUT" ]
  run "${EP[@]}" cp --resume "$KEY" -
  check "--resume to standard output is a usage error (got $RC)" [ "$RC" = 2 ]
  # What still matches resumes. The partial file's mtime is not compared:
  # the download's own writes move it (docs/cli.md).
  touch -d '2001-01-01' "$PART"
  dl_resumed_ok $((800000 - $(dl_bytes_listed)))
}

"case_$CASE"
[ "$FAILED" = 0 ] && echo "PASS: $CASE"
exit "$FAILED"
