#!/usr/bin/env node
// The local endpoint as one process: s3rver + the OSS front + control port in
// this Node process, nghttpx (x2) and nginx as children. Started by ./start,
// stopped by ./stop (SIGTERM); exits on its own after --max-lifetime seconds.
'use strict';

const crypto = require('crypto');
const fs = require('fs');
const http = require('http');
const http2 = require('http2');
const https = require('https');
const path = require('path');
const S3rver = require('s3rver');
require('./lib/s3rver-store'); // s3rver's file store, safe under concurrent PUT/DELETE/abort
const { Front } = require('./lib/front');
const { Faults } = require('./lib/faults');
const { controlServer } = require('./lib/control');
const { startDnsServer } = require('./lib/dns');
const { makeCerts } = require('./lib/certs');
const { nghttpxConf, nginxConf, launch, waitForPort, freePort } = require('./lib/proxies');

const BUCKET = 'ossio-test';
const REGION = 'cn-hangzhou';
// Virtual-hosted names are <bucket>.oss.localhost: a wildcard certificate needs
// three labels (TLS clients refuse '*.localhost').
const ENDPOINT_HOST = 'oss.localhost';

function parseArgs(argv) {
  const a = { state: null, maxLifetime: 3600, nginxFiles: ['small.bin:1048576', 'medium.bin:16777216'] };
  for (let i = 0; i < argv.length; i++) {
    const v = argv[i + 1];
    switch (argv[i]) {
      case '--state': a.state = path.resolve(v); i++; break;
      case '--max-lifetime': a.maxLifetime = Number(v); i++; break;
      case '--nginx-file': a.nginxFiles.push(v); i++; break;
      default: throw new Error(`unknown argument ${argv[i]}`);
    }
  }
  if (!a.state) throw new Error('--state DIR is required');
  return a;
}

/** Files nginx serves: NAME:SIZE, random bytes, written once per state dir. */
function makeNginxFiles(root, specs) {
  fs.mkdirSync(root, { recursive: true });
  const out = {};
  for (const spec of specs) {
    const [name, sizeStr] = spec.split(':');
    const size = Number(sizeStr);
    if (!/^[\w.-]+$/.test(name) || !Number.isSafeInteger(size) || size < 0) throw new Error(`bad --nginx-file ${spec}`);
    const file = path.join(root, name);
    if (!fs.existsSync(file) || fs.statSync(file).size !== size) {
      const fd = fs.openSync(file, 'w');
      const chunk = Math.min(size, 8 << 20);
      for (let off = 0; off < size; off += chunk) fs.writeSync(fd, crypto.randomBytes(Math.min(chunk, size - off)));
      fs.closeSync(fd);
    }
    out[name] = size;
  }
  return out;
}

const listen = (srv, port) => new Promise((res, rej) => { srv.once('error', rej); srv.listen(port, '127.0.0.1', () => res(srv.address().port)); });

let shutdownHook = null;

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const state = args.state;
  fs.mkdirSync(state, { recursive: true, mode: 0o700 });
  const logFile = fs.openSync(path.join(state, 'endpoint.log'), 'a');
  // A full disk must not take the endpoint down with it: a log line that
  // cannot be written is dropped (and said once on stderr, i.e. daemon.out).
  let logFailed = false;
  const log = line => {
    try {
      fs.writeSync(logFile, `${new Date().toISOString()} ${line}\n`);
    } catch (e) {
      if (!logFailed) process.stderr.write(`endpoint.log: ${e.message}; log lines are dropped from now on\n`);
      logFailed = true;
    }
  };
  const children = [];
  const servers = [];
  let stopping = false;

  const shutdown = async (why, code) => {
    if (stopping) return;
    stopping = true;
    log(`stopping: ${why}`);
    for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
    const deadline = Date.now() + 5000;
    while (children.some(c => c.exitCode === null && c.signalCode === null) && Date.now() < deadline) await new Promise(r => setTimeout(r, 50));
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    for (const s of servers) {
      if (s.closeAllConnections) s.closeAllConnections();
      s.close();
    }
    let owner = null;
    try { owner = Number(fs.readFileSync(path.join(state, 'daemon.pid'), 'utf8')); } catch (e) { /* gone */ }
    if (owner === process.pid) { // never clean up a directory another endpoint has taken over
      fs.rmSync(path.join(state, 'store'), { recursive: true, force: true });
      fs.rmSync(path.join(state, 'endpoint.json'), { force: true });
      fs.rmSync(path.join(state, 'daemon.pid'), { force: true });
    }
    log('stopped');
    process.exit(code);
  };
  shutdownHook = shutdown;
  process.on('SIGTERM', () => shutdown('SIGTERM', 0));
  process.on('SIGINT', () => shutdown('SIGINT', 0));
  process.on('uncaughtException', e => {
    process.stderr.write(`uncaught: ${e && e.stack}\n`);
    log(`uncaught: ${String(e && e.stack).replace(/\n\s*/g, ' | ')}`);
    shutdown('uncaught exception', 1);
  });
  setTimeout(() => shutdown(`max lifetime ${args.maxLifetime}s reached`, 0), args.maxLifetime * 1000).unref();

  const pidFile = path.join(state, 'daemon.pid');
  fs.writeFileSync(pidFile, `${process.pid}\n`);
  // Orphan guard: when the state directory is removed or taken over by another
  // endpoint, nobody can stop this one any more, so it stops itself.
  setInterval(() => {
    let owner = null;
    try {
      owner = Number(fs.readFileSync(pidFile, 'utf8'));
    } catch (e) {
      if (e.code !== 'ENOENT') return; // out of descriptors, say: not a reason to stop
    }
    if (owner !== process.pid) shutdown('state directory removed or taken over', 0);
  }, 2000).unref();
  const certs = makeCerts(path.join(state, 'certs'));
  const storeDir = path.join(state, 'store');
  fs.rmSync(storeDir, { recursive: true, force: true });
  fs.mkdirSync(storeDir, { recursive: true });

  const s3 = new S3rver({ address: '127.0.0.1', port: 0, directory: storeDir, silent: true, configureBuckets: [{ name: BUCKET }] });
  const s3addr = await s3.run();
  servers.push(s3.httpServer);

  const rand = (n, enc = 'hex') => crypto.randomBytes(n).toString(enc).replace(/[+/=]/g, '').slice(0, n * 2);
  const creds = { access_key_id: `LTAIossio${rand(6)}`, access_key_secret: rand(22, 'base64') };
  const sts = { access_key_id: `STS.ossio${rand(6)}`, access_key_secret: rand(22, 'base64'), security_token: rand(48, 'base64') };
  const accounts = new Map([
    [creds.access_key_id, { secret: creds.access_key_secret }],
    [sts.access_key_id, { secret: sts.access_key_secret, token: sts.security_token }],
  ]);

  const faults = new Faults();
  const rawSockets = new Map();
  const front = new Front({
    s3Port: s3addr.port, storeDir, accounts, faults, log, rawSockets,
    endpointHosts: [ENDPOINT_HOST, 'localhost', `oss-${REGION}.aliyuncs.com`],
  });
  const handler = front.handler();
  const ports = {};
  // Every accepted TCP socket by its peer address, so the 'drop' fault can
  // close the connection under TLS and HTTP/2 (no close_notify, no GOAWAY).
  const track = srv => srv.on('connection', sock => {
    const key = `${sock.remoteAddress}:${sock.remotePort}`;
    rawSockets.set(key, sock);
    sock.once('close', () => { if (rawSockets.get(key) === sock) rawSockets.delete(key); });
  });
  const frontSrv = http.createServer({ keepAliveTimeout: 120000, requestTimeout: 0 }, handler);
  servers.push(frontSrv);
  track(frontSrv);
  ports.http = await listen(frontSrv, 0);
  const tlsOpts = c => ({ key: fs.readFileSync(c.key), cert: fs.readFileSync(c.cert) });
  // Node's own h2+TLS server (nghttp2 inside) passes request paths unchanged;
  // nghttpx merges '//' and removes dot-segments, so odd keys need this port.
  const raw = http2.createSecureServer({
    ...tlsOpts(certs.server), allowHTTP1: true,
    settings: { maxConcurrentStreams: 100, initialWindowSize: 16 << 20 },
  }, handler);
  servers.push(raw);
  track(raw);
  ports.h2_tls_raw = await listen(raw, 0);
  // The same handler over h2c (prior knowledge), for faults on cleartext HTTP/2
  // that nghttpx would turn into stream resets.
  const rawH2c = http2.createServer({ settings: { maxConcurrentStreams: 100, initialWindowSize: 16 << 20 } }, handler);
  servers.push(rawH2c);
  track(rawH2c);
  ports.h2c_raw = await listen(rawH2c, 0);
  const badCa = https.createServer(tlsOpts(certs.badCa), handler);
  const badHost = https.createServer(tlsOpts(certs.badHost), handler);
  servers.push(badCa, badHost);
  ports.tls_badca = await listen(badCa, 0);
  ports.tls_badhost = await listen(badHost, 0);
  const control = controlServer(front, faults, { storeDir, bucket: BUCKET });
  servers.push(control);
  ports.control = await listen(control, 0);
  const dns = await startDnsServer({ log }); // UDP: answers *.oss.localhost and *.ossio.test
  servers.push(dns);
  ports.dns = dns.port;

  for (const k of ['h2_tls', 'h2c', 'h1_tls', 'nginx_tls', 'nginx_h2c', 'nginx_http', 'nginx_spread', 'nginx_spread_h2c']) ports[k] = await freePort();

  const nginxRoot = path.join(state, 'www');
  const nginxFiles = makeNginxFiles(nginxRoot, args.nginxFiles);

  const nghttpx = launch(state, 'nghttpx', 'nghttpx', [`--conf=${nghttpxConf({
    state, name: 'nghttpx', tlsPort: ports.h2_tls, h2cPort: ports.h2c, backendPort: ports.http, cert: certs.server, alpn: 'h2,http/1.1',
  })}`]);
  const nghttpxH1 = launch(state, 'nghttpx-h1', 'nghttpx', [`--conf=${nghttpxConf({
    state, name: 'nghttpx-h1', tlsPort: ports.h1_tls, backendPort: ports.http, cert: certs.server, alpn: 'http/1.1',
  })}`]);
  const nginx = launch(state, 'nginx', 'nginx', ['-c', nginxConf({
    state, root: nginxRoot, tlsPort: ports.nginx_tls, h2cPort: ports.nginx_h2c, httpPort: ports.nginx_http,
    spreadPort: ports.nginx_spread, spreadH2cPort: ports.nginx_spread_h2c, cert: certs.server,
  }), '-e', path.join(state, 'nginx-error.log')]);
  children.push(nghttpx, nghttpxH1, nginx);
  for (const c of children) c.on('exit', (code, sig) => { if (!stopping) { log(`${c.name} exited (${code ?? sig})`); shutdown(`${c.name} died`, 1); } });

  await Promise.all([
    waitForPort(ports.h2_tls, 15000, nghttpx), waitForPort(ports.h2c, 15000, nghttpx),
    waitForPort(ports.h1_tls, 15000, nghttpxH1),
    waitForPort(ports.nginx_tls, 15000, nginx), waitForPort(ports.nginx_h2c, 15000, nginx), waitForPort(ports.nginx_http, 15000, nginx),
  ]);

  const desc = {
    version: 1,
    host: '127.0.0.1',
    endpoint_host: ENDPOINT_HOST,
    region: REGION,
    bucket: BUCKET,
    ports,
    ca_file: certs.ca.cert,
    other_ca_file: certs.otherCa.cert,
    credentials: creds,
    sts,
    state_dir: state,
    store_dir: storeDir,
    log_file: path.join(state, 'endpoint.log'),
    nginx_root: nginxRoot,
    nginx_files: nginxFiles,
    pids: { daemon: process.pid, nghttpx: nghttpx.pid, nghttpx_h1: nghttpxH1.pid, nginx: nginx.pid },
  };
  writeDescription(state, desc);
  log(`ready: ${JSON.stringify(desc.ports)}`);
}

/** endpoint.json for Node and humans, endpoint.env (KEY=VALUE) for C and shell. */
function writeDescription(state, desc) {
  const env = {
    OSSIO_EP_HOST: desc.host, OSSIO_EP_ENDPOINT_HOST: desc.endpoint_host, OSSIO_EP_REGION: desc.region,
    OSSIO_EP_BUCKET: desc.bucket, OSSIO_EP_CA_FILE: desc.ca_file, OSSIO_EP_OTHER_CA_FILE: desc.other_ca_file,
    OSSIO_EP_ACCESS_KEY_ID: desc.credentials.access_key_id, OSSIO_EP_ACCESS_KEY_SECRET: desc.credentials.access_key_secret,
    OSSIO_EP_STS_ACCESS_KEY_ID: desc.sts.access_key_id, OSSIO_EP_STS_ACCESS_KEY_SECRET: desc.sts.access_key_secret,
    OSSIO_EP_STS_TOKEN: desc.sts.security_token, OSSIO_EP_STATE_DIR: desc.state_dir, OSSIO_EP_NGINX_ROOT: desc.nginx_root,
  };
  for (const [k, v] of Object.entries(desc.ports)) env[`OSSIO_EP_PORT_${k.toUpperCase()}`] = v;
  const tmpEnv = path.join(state, 'endpoint.env.tmp');
  fs.writeFileSync(tmpEnv, Object.entries(env).map(([k, v]) => `${k}=${v}`).join('\n') + '\n', { mode: 0o600 });
  fs.renameSync(tmpEnv, path.join(state, 'endpoint.env'));
  // endpoint.json last: its appearance is the "ready" signal for ./start.
  const tmp = path.join(state, 'endpoint.json.tmp');
  fs.writeFileSync(tmp, JSON.stringify(desc, null, 2) + '\n', { mode: 0o600 });
  fs.renameSync(tmp, path.join(state, 'endpoint.json'));
}

main().catch(e => {
  process.stderr.write(`endpoint daemon failed: ${e.stack}\n`);
  if (shutdownHook) shutdownHook(`start-up failed: ${e.message}`, 1);
  else process.exit(1);
});
