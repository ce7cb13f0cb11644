# What the side-by-side scripts share (sourced, after they set $root and
# $build): a release build of the targets they run, and the local endpoint.
#
#   bench_peers                     a clean environment for the peers (no AWS_*
#                                   or OSS_* settings) and GNU time, rclone and
#                                   h2load installed if missing
#   bench_build TARGET...           release build of TARGETs in $build
#   bench_endpoint [start args...]  sets $state: the endpoint named by
#                                   $ENDPOINT_STATE, else one started here
#                                   (with the args) and stopped on exit;
#                                   $tmp is a scratch directory removed on exit

bench_peers() {
  # Some environments export AWS_CA_BUNDLE and friends; rclone fails on it.
  local v need=()
  while IFS= read -r v; do unset "$v"; done < <(env | sed -n 's/^\(AWS_[A-Za-z0-9_]*\)=.*/\1/p')
  unset OSS_ENDPOINT OSS_REGION OSS_SESSION_TOKEN FLINK_CONF_DIR HADOOP_CONF_DIR
  [[ -x /usr/bin/time ]] || need+=(time)
  command -v rclone >/dev/null || need+=(rclone)
  command -v h2load >/dev/null || need+=(nghttp2-client)
  if ((${#need[@]})); then
    echo "installing ${need[*]} (./dev bench-deps does the same)" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  fi
}

bench_build() {
  cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DOSSIO_BUILD_TESTS=OFF >/dev/null
  cmake --build "$build" --target "$@" -j2 >/dev/null
}

bench_cleanup() {
  if ((bench_own_endpoint)); then node "$root/tests/endpoint/stop" --state "$tmp/ep" >/dev/null 2>&1 || true; fi
  rm -rf "$tmp"
}

bench_endpoint() {
  tmp=$(mktemp -d)
  bench_own_endpoint=0
  trap bench_cleanup EXIT
  if [[ -n ${ENDPOINT_STATE:-} ]]; then
    state=$ENDPOINT_STATE
  else
    state=$tmp/ep
    bench_own_endpoint=1
    node "$root/tests/endpoint/start" --state "$state" "$@" >/dev/null
  fi
}
