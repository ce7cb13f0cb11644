#!/usr/bin/env bash
# The seed job end to end (what ./dev demo shows): a generated flink-conf.yaml
# with fs.oss.endpoint / accessKeyId / accessKeySecret, call_center.dat
# uploaded, read as 4 parallel splits (8 rows, count = 8), written back with
# writeAsText, read again (count = 8); then the same output again in
# NO_OVERWRITE mode is refused, and --overwrite replaces it.
#   flink_text_test.sh <flink_text binary> <call_center.dat>
set -uo pipefail
BIN=$1 DATA=$2
set -a
# shellcheck disable=SC1091
. "$OSSIO_ENDPOINT_STATE/endpoint.env"
set +a
unset OSS_ACCESS_KEY_ID OSS_ACCESS_KEY_SECRET OSS_ENDPOINT OSS_REGION OSS_SESSION_TOKEN
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
FAILED=0
check() { local what=$1; shift; if "$@"; then echo "ok: $what"; else echo "FAIL: $what" >&2; FAILED=1; fi; }

port=$OSSIO_EP_PORT_H2_TLS
cat >"$TMP/flink-conf.yaml" <<YAML
# as a Flink user writes it (flat keys), plus the test CA and a pinned name
fs.oss.endpoint: https://$OSSIO_EP_ENDPOINT_HOST:$port
fs.oss.accessKeyId: $OSSIO_EP_ACCESS_KEY_ID
fs.oss.accessKeySecret: $OSSIO_EP_ACCESS_KEY_SECRET
fs.oss.connection.ca.file: $OSSIO_EP_CA_FILE
fs.oss.connection.resolve: $OSSIO_EP_BUCKET.$OSSIO_EP_ENDPOINT_HOST:$port:127.0.0.1
YAML
uri="oss://$OSSIO_EP_BUCKET/flink-text-$$-$RANDOM/50/call_center/data-m-00049"

"$BIN" --config "$TMP/flink-conf.yaml" --upload "$DATA" "$uri" >"$TMP/out" 2>"$TMP/err"
rc=$?
cat "$TMP/out" "$TMP/err"
check "exit 0" [ "$rc" = 0 ]
check "two counts of 8" [ "$(grep -c '^count = 8$' "$TMP/out")" = 2 ]
check "the 8 rows printed" [ "$(grep -c '^   \[split [0-3]\] ' "$TMP/out")" = 8 ]
check "every row of the file, once" diff <(sed -n 's/^   \[split [0-3]\] //p' "$TMP/out" | sort) <(sort "$DATA")
check "4 splits" grep -q '^   4 splits' "$TMP/out"
check "over h2" grep -q '^ossio: h2, ' "$TMP/out"
check "no secret in the output" bash -c '! grep -qF -- "$1" "$2" "$3"' _ "$OSSIO_EP_ACCESS_KEY_SECRET" "$TMP/out" "$TMP/err"

"$BIN" --config "$TMP/flink-conf.yaml" "$uri" >"$TMP/out2" 2>"$TMP/err2"
check "a second run in NO_OVERWRITE mode fails" [ $? = 1 ]
check "named: Flink's words" grep -q 'NO_OVERWRITE' "$TMP/err2"
"$BIN" --config "$TMP/flink-conf.yaml" --overwrite "$uri" >"$TMP/out3" 2>&1
check "--overwrite replaces it" [ $? = 0 ]
check "still count = 8 twice" [ "$(grep -c '^count = 8$' "$TMP/out3")" = 2 ]
exit $FAILED
