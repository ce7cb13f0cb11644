// Configuration and launch of the real servers in front of (and beside) the
// OSS front: nghttpx for TLS+h2, TLS http/1.1-only and h2c; nginx serving
// files over h2+TLS, h2c and plain HTTP/1.1 for throughput benchmarks.
'use strict';

const { spawn } = require('child_process');
const fs = require('fs');
const net = require('net');
const path = require('path');

function nghttpxConf({ state, name, tlsPort, h2cPort, backendPort, cert, alpn }) {
  const lines = [
    `frontend=127.0.0.1,${tlsPort}`,
    ...(h2cPort ? [`frontend=127.0.0.1,${h2cPort};no-tls`] : []),
    `backend=127.0.0.1,${backendPort};;proto=http/1.1`,
    `private-key-file=${cert.key}`,
    `certificate-file=${cert.cert}`,
    `npn-list=${alpn}`,
    'workers=1',
    'no-ocsp=yes',
    'frontend-http2-max-concurrent-streams=100',
    'frontend-http2-window-size=16777215',
    'frontend-http2-connection-window-size=67108864',
    'backend-connections-per-host=64',
    'backend-read-timeout=60s',
    'frontend-read-timeout=60s',
    `accesslog-file=${path.join(state, `${name}-access.log`)}`,
    `errorlog-file=${path.join(state, `${name}-error.log`)}`,
    `pid-file=${path.join(state, `${name}.pid`)}`,
  ];
  const file = path.join(state, `${name}.conf`);
  fs.writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

// Addresses the "spread" listeners bind (HTTP/1.1 and h2c), one port each:
// several front ends behind one name for the every-address tests and
// bench/addrs-compare.sh. 127.0.0.4 and .5 are left out on purpose (dns.js).
const SPREAD_ADDRS = ['127.0.0.2', '127.0.0.3', '127.0.0.6', '127.0.0.7'];

function nginxConf({ state, root, tlsPort, h2cPort, httpPort, spreadPort, spreadH2cPort, cert }) {
  const tmp = path.join(state, 'nginx-tmp');
  fs.mkdirSync(tmp, { recursive: true });
  // PUT and DELETE (nginx's dav module) let `ossio bench mixed` write to
  // nginx as well as read (bench/soak.sh); files land under root.
  const common = `root ${root};
    location / { dav_methods PUT DELETE; create_full_put_path on; client_max_body_size 0; }
`;
  // output_buffers 2 32k on h2 listeners and sendfile off on h2c keep nginx 1.22
  // below its "http2 flood detected" frame-queue limit (see DESIGN.md).
  const conf = `
${process.getuid && process.getuid() === 0 ? 'user root root;' : ''}
worker_processes 1;
daemon off;
pid ${path.join(state, 'nginx.pid')};
error_log ${path.join(state, 'nginx-error.log')} info;
events { worker_connections 4096; }
http {
  access_log off;
  default_type application/octet-stream;
  client_body_temp_path ${tmp}/body;
  proxy_temp_path ${tmp}/proxy;
  fastcgi_temp_path ${tmp}/fastcgi;
  uwsgi_temp_path ${tmp}/uwsgi;
  scgi_temp_path ${tmp}/scgi;
  keepalive_requests 1000000;
  keepalive_timeout 120s;
  http2_max_concurrent_streams 1000;
  server {
    listen 127.0.0.1:${tlsPort} ssl http2;
    ssl_certificate ${cert.cert};
    ssl_certificate_key ${cert.key};
    ssl_protocols TLSv1.2 TLSv1.3;
    output_buffers 2 32k;
    sendfile on;
    ${common}
  }
  server {
    listen 127.0.0.1:${h2cPort} http2;
    output_buffers 2 32k;
    sendfile off;
    ${common}
  }
  server {
    listen 127.0.0.1:${httpPort};
    sendfile on;
    ${common}
  }
  server {
    ${SPREAD_ADDRS.map(a => `listen ${a}:${spreadPort};`).join(' ')}
    sendfile on;
    ${common}
  }
  server {
    ${SPREAD_ADDRS.map(a => `listen ${a}:${spreadH2cPort} http2;`).join(' ')}
    output_buffers 2 32k;
    sendfile off;
    ${common}
  }
}
`;
  const file = path.join(state, 'nginx.conf');
  fs.writeFileSync(file, conf);
  return file;
}

/** Starts a server process; its output goes to a log file in state. */
function launch(state, name, cmd, args) {
  const out = fs.openSync(path.join(state, `${name}.out`), 'a');
  const child = spawn(cmd, args, { stdio: ['ignore', out, out] });
  fs.closeSync(out);
  child.name = name;
  return child;
}

/** Resolves when something accepts TCP connections on port, or rejects after timeoutMs. */
function waitForPort(port, timeoutMs, child) {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      if (child && child.exitCode !== null) return reject(new Error(`${child.name} exited with ${child.exitCode}`));
      const s = net.connect({ host: '127.0.0.1', port }, () => { s.destroy(); resolve(); });
      s.on('error', () => {
        s.destroy();
        if (Date.now() > deadline) reject(new Error(`nothing listens on 127.0.0.1:${port} after ${timeoutMs} ms`));
        else setTimeout(attempt, 50);
      });
    };
    attempt();
  });
}

/** A free loopback TCP port (the kernel's choice). */
function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

module.exports = { nghttpxConf, nginxConf, launch, waitForPort, freePort, SPREAD_ADDRS };
