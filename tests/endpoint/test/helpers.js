// Shared set-up for the endpoint self-tests: finds the running endpoint
// (OSSIO_ENDPOINT_STATE, as ctest's fixture sets it) or starts a private one
// for this test file, and builds real clients (ali-oss, AWS SDK v3) for it.
'use strict';

const { execFileSync } = require('child_process');
const fs = require('fs');
const http = require('http');
const https = require('https');
const os = require('os');
const path = require('path');
const OSS = require('ali-oss');

const ROOT = path.resolve(__dirname, '..');
let owned = null;

/** The endpoint description (endpoint.json) of the shared or a private endpoint. */
function endpoint() {
  const state = process.env.OSSIO_ENDPOINT_STATE;
  if (state && fs.existsSync(path.join(state, 'endpoint.json'))) {
    return JSON.parse(fs.readFileSync(path.join(state, 'endpoint.json'), 'utf8'));
  }
  if (!owned) {
    owned = fs.mkdtempSync(path.join(os.tmpdir(), 'ossio-ep-'));
    execFileSync(path.join(ROOT, 'start'), ['--state', owned], { stdio: ['ignore', 'ignore', 'inherit'] });
    process.on('exit', () => {
      execFileSync(path.join(ROOT, 'stop'), ['--state', owned], { stdio: 'inherit' });
      fs.rmSync(owned, { recursive: true, force: true });
    });
  }
  return JSON.parse(fs.readFileSync(path.join(owned, 'endpoint.json'), 'utf8'));
}

/** An ali-oss client over the TLS frontend (V1 unless {v4: true}). */
function aliClient(ep, opts = {}) {
  const c = opts.sts ? ep.sts : ep.credentials;
  return new OSS({
    accessKeyId: c.access_key_id,
    accessKeySecret: opts.secret || c.access_key_secret,
    stsToken: opts.sts ? (opts.token || c.security_token) : undefined,
    bucket: opts.bucket || ep.bucket,
    region: `oss-${ep.region}`,
    endpoint: `${opts.plain ? 'http' : 'https'}://127.0.0.1:${opts.plain ? ep.ports.http : (opts.port || ep.ports.h2_tls)}`,
    secure: !opts.plain,
    authorizationV4: Boolean(opts.v4),
    httpsAgent: new https.Agent({ ca: fs.readFileSync(ep.ca_file), keepAlive: true }),
    agent: new http.Agent({ keepAlive: true }),
    retryMax: 0,
    timeout: 60000,
  });
}

/** A DNS lookup that answers 127.0.0.1 for every name (for <bucket>.oss.localhost). */
function loopbackLookup(host, opts, cb) {
  if (opts.all) cb(null, [{ address: '127.0.0.1', family: 4 }]);
  else cb(null, '127.0.0.1', 4);
}

/** An ali-oss client addressing <bucket>.oss.localhost (virtual-hosted) over TLS. */
function aliVhostClient(ep, opts = {}) {
  return new OSS({
    accessKeyId: ep.credentials.access_key_id, accessKeySecret: ep.credentials.access_key_secret,
    bucket: ep.bucket, region: `oss-${ep.region}`, endpoint: `https://${ep.endpoint_host}:${opts.port || ep.ports.h2_tls}`,
    authorizationV4: Boolean(opts.v4), retryMax: 0,
    httpsAgent: new https.Agent({ ca: fs.readFileSync(ep.ca_file), lookup: loopbackLookup }),
  });
}

/** A V1 presigned URL for key on <bucket>.oss.localhost (https on port, or plain http). */
function presign(ep, key, { method = 'GET', expires = 300, port, plain = false } = {}) {
  const c = new OSS({
    accessKeyId: ep.credentials.access_key_id, accessKeySecret: ep.credentials.access_key_secret,
    bucket: ep.bucket, region: `oss-${ep.region}`, secure: !plain,
    endpoint: `${plain ? 'http' : 'https'}://${ep.endpoint_host}:${port || (plain ? ep.ports.http : ep.ports.h2_tls)}`,
  });
  return c.signatureUrl(key, { method, expires });
}

/** Sends one HTTP(S)/1.1 request to a (presigned) URL, resolving every name to loopback. */
function fetchUrl(ep, url, { method = 'GET', headers = {}, body } = {}) {
  const mod = url.startsWith('https:') ? https : http;
  return new Promise((resolve, reject) => {
    const req = mod.request(url, { method, headers, ca: fs.readFileSync(ep.ca_file), lookup: loopbackLookup, agent: false }, res => {
      const chunks = [];
      res.on('data', c => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** The AWS SDK v3 S3 client over the TLS http/1.1 frontend, path-style;
 * opts.validate: the SDK validates response checksums it is given. */
function s3Client(ep, opts = {}) {
  const { S3Client } = require('@aws-sdk/client-s3');
  const { NodeHttpHandler } = require('@smithy/node-http-handler');
  const c = opts.sts ? ep.sts : ep.credentials;
  return new S3Client({
    region: ep.region,
    endpoint: `https://localhost:${ep.ports.h1_tls}`,
    forcePathStyle: true,
    credentials: {
      accessKeyId: c.access_key_id,
      secretAccessKey: opts.secret || c.access_key_secret,
      sessionToken: opts.sts ? c.security_token : undefined,
    },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: opts.validate ? 'WHEN_SUPPORTED' : 'WHEN_REQUIRED',
    maxAttempts: 1,
    requestHandler: new NodeHttpHandler({ httpsAgent: new https.Agent({ ca: fs.readFileSync(ep.ca_file) }) }),
  });
}

/** Calls the control port: control(ep, 'POST', '/faults', {...}). */
function control(ep, method, route, body) {
  return new Promise((resolve, reject) => {
    const data = body ? JSON.stringify(body) : '';
    const req = http.request({ host: '127.0.0.1', port: ep.ports.control, method, path: route,
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) } }, res => {
      let raw = '';
      res.setEncoding('utf8');
      res.on('data', c => { raw += c; });
      res.on('end', () => (res.statusCode < 300 ? resolve(JSON.parse(raw)) : reject(new Error(`${res.statusCode} ${raw}`))));
    });
    req.on('error', reject);
    req.end(data);
  });
}

/** A key unique to this test run, so self-tests never step on each other. */
function uniqueKey(name) {
  return `selftest/${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}/${name}`;
}

module.exports = { endpoint, aliClient, aliVhostClient, presign, fetchUrl, loopbackLookup, s3Client, control, uniqueKey, ROOT };
