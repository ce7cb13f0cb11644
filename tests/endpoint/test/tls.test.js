// The TLS and HTTP/2 frontends negotiate what they claim, the verification
// test servers fail verification the way they are meant to, and nginx serves
// its files with Range over h2+TLS, h2c and HTTP/1.1.
'use strict';

const test = require('node:test');
const assert = require('node:assert');
const fs = require('fs');
const http = require('http');
const http2 = require('http2');
const path = require('path');
const tls = require('tls');
const { endpoint, aliClient, presign, uniqueKey } = require('./helpers');

const ep = endpoint();
const ca = fs.readFileSync(ep.ca_file);

function handshake(port, opts = {}) {
  return new Promise(resolve => {
    const s = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ca, ALPNProtocols: ['h2', 'http/1.1'], ...opts }, () => {
      resolve({ alpn: s.alpnProtocol, authorized: s.authorized });
      s.end();
    });
    s.on('error', err => resolve({ err }));
  });
}

function h2get(origin, reqPath, headers = {}, opts = {}) {
  return new Promise((resolve, reject) => {
    const session = http2.connect(origin, { ca, servername: 'localhost', ...opts });
    session.on('error', reject);
    const s = session.request({ ':path': reqPath, ...headers });
    const got = [];
    let h;
    s.on('response', hh => { h = hh; });
    s.on('data', c => got.push(c));
    s.on('end', () => { session.close(); resolve({ headers: h, body: Buffer.concat(got) }); });
    s.on('error', reject);
  });
}

test('nghttpx TLS frontend negotiates h2; the http/1.1-only frontend negotiates http/1.1', async () => {
  assert.strictEqual((await handshake(ep.ports.h2_tls)).alpn, 'h2');
  assert.strictEqual((await handshake(ep.ports.h1_tls)).alpn, 'http/1.1');
  assert.strictEqual((await handshake(ep.ports.h2_tls_raw)).alpn, 'h2');
});

test('an object stored over TLS comes back over h2 (nghttpx) and h2c', async () => {
  const key = uniqueKey('h2.txt');
  await aliClient(ep).put(key, Buffer.from('over h2'));
  for (const [origin, port] of [[`https://127.0.0.1:${ep.ports.h2_tls}`, ep.ports.h2_tls], [`http://127.0.0.1:${ep.ports.h2c}`, ep.ports.h2c]]) {
    const u = new URL(presign(ep, key, { port, plain: origin.startsWith('http:') }));
    const r = await h2get(origin, u.pathname + u.search, { ':authority': u.host });
    assert.strictEqual(r.headers[':status'], 200);
    assert.strictEqual(r.body.toString(), 'over h2');
    assert.match(r.headers['x-oss-request-id'], /^[0-9A-F]{24}$/);
  }
});

test('wrong-CA server fails verification against our CA, passes against its own', async () => {
  const r = await handshake(ep.ports.tls_badca);
  assert.ok(r.err, 'must not verify');
  assert.match(r.err.code, /UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED|UNABLE_TO_GET_ISSUER/);
  const ok = await handshake(ep.ports.tls_badca, { ca: fs.readFileSync(ep.other_ca_file) });
  assert.strictEqual(ok.authorized, true);
});

test('wrong-hostname server: a trusted chain but the name does not match', async () => {
  const r = await handshake(ep.ports.tls_badhost);
  assert.ok(r.err);
  assert.strictEqual(r.err.code, 'ERR_TLS_CERT_ALTNAME_INVALID');
  const named = await handshake(ep.ports.tls_badhost, { servername: 'wrong-host.invalid' });
  assert.strictEqual(named.authorized, true);
});

test('nginx serves a ranged GET identically over h2+TLS, h2c and HTTP/1.1', async () => {
  const file = fs.readFileSync(path.join(ep.nginx_root, 'small.bin'));
  const range = { range: 'bytes=1000-9999' };
  for (const origin of [`https://127.0.0.1:${ep.ports.nginx_tls}`, `http://127.0.0.1:${ep.ports.nginx_h2c}`]) {
    const r = await h2get(origin, '/small.bin', range);
    assert.strictEqual(r.headers[':status'], 206, origin);
    assert.deepStrictEqual(r.body, file.subarray(1000, 10000), origin);
  }
  const h1 = await new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port: ep.ports.nginx_http, path: '/small.bin', headers: range }, res => {
      const got = [];
      res.on('data', c => got.push(c));
      res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(got) }));
    }).on('error', reject);
  });
  assert.strictEqual(h1.status, 206);
  assert.deepStrictEqual(h1.body, file.subarray(1000, 10000));
  assert.strictEqual((await handshake(ep.ports.nginx_tls)).alpn, 'h2');
});
