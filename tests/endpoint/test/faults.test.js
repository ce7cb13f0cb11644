// Fault injection: each fault armed over the control port fires as configured,
// on matching requests only, and is counted.
'use strict';

const test = require('node:test');
const assert = require('node:assert');
const crypto = require('crypto');
const http = require('http');
const http2 = require('http2');
const fs = require('fs');
const { endpoint, aliClient, presign, fetchUrl, control, uniqueKey, loopbackLookup } = require('./helpers');
const { bufferCrc64 } = require('../lib/crc');

const ep = endpoint();
const BODY = crypto.randomBytes(64 * 1024);

async function object() {
  const key = uniqueKey('fault.bin');
  await aliClient(ep).put(key, BODY);
  armed.add(key);
  return key;
}

/** GET over plain HTTP/1.1 that reports what arrived even when the connection breaks. */
function rawGet(url) {
  return new Promise(resolve => {
    const got = [];
    const req = http.get(url, { lookup: loopbackLookup, agent: false }, res => {
      res.on('data', c => got.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(got), complete: res.complete }));
      res.on('error', err => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(got), complete: false, err }));
    });
    req.on('error', err => resolve({ body: Buffer.concat(got), complete: false, err }));
  });
}

// Other test programs share this endpoint: clear only this file's faults.
const armed = new Set();
test.afterEach(async () => {
  for (const p of armed) await control(ep, 'DELETE', `/faults?path=${encodeURIComponent(p)}`);
  armed.clear();
});

test('slowdown ×2: two 503 SlowDown answers, then the object; fired = 2', async () => {
  const key = await object();
  const f = await control(ep, 'POST', '/faults', { kind: 'slowdown', count: 2, match: { method: 'GET', path: key } });
  const url = presign(ep, key, { plain: true });
  for (let i = 0; i < 2; i++) {
    const r = await fetchUrl(ep, url);
    assert.strictEqual(r.status, 503);
    assert.match(r.body.toString(), /<Code>SlowDown<\/Code>/);
  }
  assert.deepStrictEqual((await fetchUrl(ep, url)).body, BODY);
  const list = await control(ep, 'GET', '/faults');
  assert.strictEqual(list.find(x => x.id === f.id).fired, 2);
});

test('internal and skew faults answer 500 InternalError and 403 RequestTimeTooSkewed', async () => {
  const key = await object();
  const url = presign(ep, key, { plain: true });
  await control(ep, 'POST', '/faults', { kind: 'internal', match: { path: key } });
  const a = await fetchUrl(ep, url);
  assert.strictEqual(a.status, 500);
  assert.match(a.body.toString(), /<Code>InternalError<\/Code>/);
  await control(ep, 'POST', '/faults', { kind: 'skew', match: { path: key } });
  const b = await fetchUrl(ep, url);
  assert.strictEqual(b.status, 403);
  assert.match(b.body.toString(), /<Code>RequestTimeTooSkewed<\/Code>/);
});

test('a fault fires only on requests that match it', async () => {
  const key = await object();
  const f = await control(ep, 'POST', '/faults', { kind: 'slowdown', match: { method: 'PUT', path: key } });
  assert.strictEqual((await fetchUrl(ep, presign(ep, key, { plain: true }))).status, 200);
  assert.strictEqual((await control(ep, 'GET', '/faults')).find(x => x.id === f.id).fired, 0);
  await assert.rejects(aliClient(ep, { plain: true }).put(key, Buffer.from('x')), e => e.status === 503);
});

test('reset after K bytes: K bytes arrive, then the connection is reset', async () => {
  const key = await object();
  await control(ep, 'POST', '/faults', { kind: 'reset', after: 1000, match: { path: key } });
  const r = await rawGet(presign(ep, key, { plain: true }));
  // What was read before the RST arrived is at most K bytes, and a true prefix.
  assert.ok(r.err, 'the reset must surface as an error');
  assert.strictEqual(r.complete, false);
  assert.ok(r.body.length <= 1000, `${r.body.length} bytes arrived`);
  assert.deepStrictEqual(r.body, BODY.subarray(0, r.body.length));
});

test('truncate after K bytes: headers promise the whole body, K bytes arrive', async () => {
  const key = await object();
  await control(ep, 'POST', '/faults', { kind: 'truncate', after: 4096, match: { path: key } });
  const r = await rawGet(presign(ep, key, { plain: true }));
  assert.strictEqual(Number(r.headers['content-length']), BODY.length);
  assert.strictEqual(r.body.length, 4096);
  assert.strictEqual(r.complete, false);
});

test('stall T ms before the answer; the body is intact', async () => {
  const key = await object();
  await control(ep, 'POST', '/faults', { kind: 'stall', ms: 400, match: { path: key } });
  const t0 = process.hrtime.bigint();
  const r = await fetchUrl(ep, presign(ep, key, { plain: true }));
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  assert.ok(ms >= 390, `answered after ${ms} ms`);
  assert.deepStrictEqual(r.body, BODY);
});

test('flip: exactly one body byte differs; length and crc64 header are the true object\'s', async () => {
  const key = await object();
  await control(ep, 'POST', '/faults', { kind: 'flip', offset: 12345, match: { path: key } });
  const r = await fetchUrl(ep, presign(ep, key, { plain: true }));
  assert.strictEqual(r.body.length, BODY.length);
  const diffs = [...r.body].map((b, i) => (b !== BODY[i] ? i : -1)).filter(i => i >= 0);
  assert.deepStrictEqual(diffs, [12345]);
  assert.strictEqual(r.headers['x-oss-hash-crc64ecma'], bufferCrc64(BODY));
  assert.notStrictEqual(bufferCrc64(r.body), r.headers['x-oss-hash-crc64ecma']);
});

test('over nghttpx h2, a reset fails only the affected stream; the connection carries on', async () => {
  const key = await object();
  await control(ep, 'POST', '/faults', { kind: 'reset', after: 1000, match: { path: key } });
  const session = http2.connect(`https://127.0.0.1:${ep.ports.h2_tls}`, { ca: fs.readFileSync(ep.ca_file), servername: 'localhost' });
  const u = new URL(presign(ep, key));
  const get = () => new Promise(resolve => {
    const s = session.request({ ':path': u.pathname + u.search, ':authority': u.host });
    const got = [];
    s.on('data', c => got.push(c));
    s.on('end', () => resolve({ body: Buffer.concat(got), code: s.rstCode }));
    s.on('error', err => resolve({ body: Buffer.concat(got), err }));
  });
  const broken = await get();
  assert.ok(broken.err || broken.code, 'the faulted stream must fail');
  assert.ok(broken.body.length < BODY.length);
  const good = await get();
  assert.deepStrictEqual(good.body, BODY);
  session.close();
});

test('control port rejects unknown fault kinds', async () => {
  await assert.rejects(control(ep, 'POST', '/faults', { kind: 'meteor' }), /400/);
  const stats = await control(ep, 'GET', '/stats');
  assert.ok(stats.requests > 0 && stats.faultsFired > 0);
});
