# An OSS/S3 upload sink on nginx (sourced by bench/upload-compare.sh): a
# server that is not the bottleneck of an upload benchmark. It answers
#   POST ?uploads          InitiateMultipartUpload (an UploadId)
#   PUT (any query)        PutObject and UploadPart (200, an ETag)
#   POST ?uploadId=...     CompleteMultipartUpload (a result with an ETag)
#   POST without a query   as PUT (h2load -d sends POST)
#   GET, HEAD              files under $sink_root (downloads in the same run)
# and reads every body to its end (the echo module's echo_read_request_body:
# into memory up to 16 MiB, beyond that into a file on /dev/shm) before it
# answers, so a client's upload is over when its answer comes. Nothing is
# kept: bodies are dropped. Signatures are not checked.
#
#   sink_start DIR   starts nginx (one worker per core) with a self-signed
#                    certificate; sets sink_http (HTTP/1.1 cleartext),
#                    sink_h2c, sink_tls (ALPN h2 and http/1.1), sink_ca,
#                    sink_root; stops it on sink_stop

sink_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

sink_start() {
  local dir=$1 mod=/usr/lib/nginx/modules/ngx_http_echo_module.so
  if [[ ! -f $mod ]]; then
    echo "installing libnginx-mod-http-echo (./dev bench-deps does the same)" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libnginx-mod-http-echo >/dev/null
  fi
  mkdir -p "$dir/www" /dev/shm/ossio-sink-$$
  sink_root=$dir/www
  sink_body=/dev/shm/ossio-sink-$$
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj /CN=localhost \
    -addext subjectAltName=DNS:localhost,IP:127.0.0.1 -keyout "$dir/key.pem" -out "$dir/cert.pem" 2>/dev/null
  sink_ca=$dir/cert.pem
  sink_http=$(sink_port) sink_h2c=$(sink_port) sink_tls=$(sink_port)
  local xml='<?xml version="1.0" encoding="UTF-8"?>'
  local loc="
    location / {
      if (\$sink != static) { rewrite ^ /_sink_\$sink last; }
      root $sink_root;
    }
    location = /_sink_initiate {
      echo_read_request_body;
      default_type application/xml;
      echo -n '$xml<InitiateMultipartUploadResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Bucket>sink</Bucket><Key>sink</Key><UploadId>sink-upload</UploadId></InitiateMultipartUploadResult>';
    }
    location = /_sink_put {
      echo_read_request_body;
      add_header ETag '\"5eb63bbbe01eeed093cb22bb8f5acdc3\"';
      echo -n '';
    }
    location = /_sink_complete {
      echo_read_request_body;
      default_type application/xml;
      echo -n '$xml<CompleteMultipartUploadResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Location>sink</Location><Bucket>sink</Bucket><Key>sink</Key><ETag>\"5eb63bbbe01eeed093cb22bb8f5acdc3-1\"</ETag></CompleteMultipartUploadResult>';
    }"
  cat >"$dir/nginx.conf" <<EOF
load_module $mod;
$( ((EUID == 0)) && echo 'user root root;')
worker_processes auto;
daemon off;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  default_type application/octet-stream;
  client_body_temp_path $sink_body;
  client_max_body_size 0;
  client_body_buffer_size 16m;
  keepalive_requests 1000000;
  keepalive_timeout 120s;
  http2_max_concurrent_streams 1000;
  map "\$request_method:\$args" \$sink {
    ~^POST:(.*&)?uploads(=[^&]*)?(&|\$) initiate;
    ~^POST:.*uploadId= complete;
    ~^(PUT|POST): put;
    default static;
  }
  server { listen 127.0.0.1:$sink_http; sendfile on; $loc }
  server { listen 127.0.0.1:$sink_h2c http2; output_buffers 2 32k; sendfile off; $loc }
  server {
    listen 127.0.0.1:$sink_tls ssl http2;
    ssl_certificate $dir/cert.pem;
    ssl_certificate_key $dir/key.pem;
    ssl_protocols TLSv1.2 TLSv1.3;
    output_buffers 2 32k;
    $loc
  }
}
EOF
  nginx -c "$dir/nginx.conf" -p "$dir" -e "$dir/error.log" >"$dir/nginx.out" 2>&1 &
  sink_pid=$!
  local i
  for ((i = 0; i < 100; i++)); do
    if curl -s -o /dev/null "http://127.0.0.1:$sink_tls" 2>/dev/null || curl -sk -o /dev/null "https://127.0.0.1:$sink_tls"; then
      return 0
    fi
    sleep 0.1
  done
  echo "the sink did not start:" >&2
  cat "$dir/nginx.out" "$dir/error.log" >&2
  return 1
}

sink_stop() {
  [[ -n ${sink_pid:-} ]] && kill "$sink_pid" 2>/dev/null && wait "$sink_pid" 2>/dev/null
  rm -rf "${sink_body:?}"
  sink_pid=
}
