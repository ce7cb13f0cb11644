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

// Paging faults: the listings ossio follows, broken the two ways a server can
// break them. Objects under a fresh prefix; the fault matches that prefix.
async function fiveObjects() {
  const dir = uniqueKey('x').replace(/\/x$/, '');
  const client = aliClient(ep);
  for (const n of ['a', 'b', 'c', 'd', 'e']) await client.put(`${dir}/${n}`, Buffer.from(n));
  armed.add(dir);
  // Bucket-level requests have the path /bucket: match them by the prefix in the query.
  const word = dir.split('/')[1];
  armedQuery.push([`/${ep.bucket}`, word]);
  return { dir, word, client };
}
const armedQuery = [];

/** ListObjects V1 by hand (ali-oss's list() wants an Owner the front does not send): the parsed page. */
async function listV1(client, query) {
  const params = client._objectRequestParams('GET', '', {});
  params.query = query;
  params.xmlResponse = true;
  params.successStatuses = [200];
  const d = (await client.request(params)).data;
  const keys = [].concat(d.Contents || []).map(c => c.Key);
  return { isTruncated: d.IsTruncated === 'true', nextMarker: d.NextMarker === undefined ? null : d.NextMarker, keys };
}
test.afterEach(async () => {
  for (const [p, q] of armedQuery.splice(0)) {
    await control(ep, 'DELETE', `/faults?path=${encodeURIComponent(p)}&query=${encodeURIComponent(q)}`);
  }
});

test('list-no-token: a truncated ListObjects page without NextMarker / NextContinuationToken', async () => {
  const { dir, word, client } = await fiveObjects();
  const match = { path: `/${ep.bucket}`, query: word };
  await control(ep, 'POST', '/faults', { kind: 'list-no-token', count: 2, match });
  const v1 = await listV1(client, { prefix: `${dir}/`, 'max-keys': 2 });
  assert.strictEqual(v1.isTruncated, true);
  assert.strictEqual(v1.nextMarker, null);
  assert.deepStrictEqual(v1.keys, [`${dir}/a`, `${dir}/b`]);
  // Even a page that holds the rest says it is truncated.
  const v2 = await client.listV2({ prefix: `${dir}/`, 'max-keys': 10 });
  assert.strictEqual(v2.isTruncated, true);
  assert.strictEqual(v2.nextContinuationToken, null);
  assert.strictEqual(v2.objects.length, 5);
  // Spent: the next page is whole again.
  const ok = await client.listV2({ prefix: `${dir}/`, 'max-keys': 2 });
  assert.strictEqual(ok.isTruncated, true);
  assert.ok(ok.nextContinuationToken);
});

test('list-repeat-token: every later page names the marker it was asked with', async () => {
  const { dir, word, client } = await fiveObjects();
  await control(ep, 'POST', '/faults', { kind: 'list-repeat-token', count: 10, match: { path: `/${ep.bucket}`, query: word } });
  const first = await client.listV2({ prefix: `${dir}/`, 'max-keys': 2 });
  assert.ok(first.nextContinuationToken, 'the first page is answered as it is');
  for (let i = 0; i < 3; i++) {
    const again = await client.listV2({ prefix: `${dir}/`, 'max-keys': 2, 'continuation-token': first.nextContinuationToken });
    assert.strictEqual(again.isTruncated, true);
    assert.strictEqual(again.nextContinuationToken, first.nextContinuationToken);
  }
  const v1 = await listV1(client, { prefix: `${dir}/`, 'max-keys': 2, marker: `${dir}/d` });
  assert.strictEqual(v1.isTruncated, true);
  assert.strictEqual(v1.nextMarker, `${dir}/d`);
});

test('list-* faults break ListParts and ListMultipartUploads paging the same way', async () => {
  const { dir, word, client } = await fiveObjects();
  const key = `${dir}/mp`;
  const ids = [];
  for (let i = 0; i < 3; i++) ids.push((await client.initMultipartUpload(key)).uploadId);
  for (let n = 1; n <= 3; n++) await client.uploadPart(key, ids[0], n, Buffer.from(`part ${n}`), 0, 6);
  await control(ep, 'POST', '/faults', { kind: 'list-no-token', match: { path: key, query: 'uploadId' } });
  const parts = await client.listParts(key, ids[0], { 'max-parts': 1 });
  assert.strictEqual(parts.isTruncated, 'true');
  assert.strictEqual(parts.nextPartNumberMarker, undefined);
  await control(ep, 'POST', '/faults', { kind: 'list-repeat-token', match: { path: key, query: 'uploadId' } });
  const same = await client.listParts(key, ids[0], { 'max-parts': 1, 'part-number-marker': 1 });
  assert.strictEqual(same.isTruncated, 'true');
  assert.strictEqual(same.nextPartNumberMarker, '1');
  await control(ep, 'POST', '/faults', { kind: 'list-no-token', match: { path: `/${ep.bucket}`, query: word } });
  const up = await client.listUploads({ prefix: `${dir}/`, 'max-uploads': 1 });
  assert.strictEqual(up.isTruncated, true);
  assert.strictEqual(up.nextKeyMarker, undefined);
  const sorted = [...ids].sort();
  await control(ep, 'POST', '/faults', { kind: 'list-repeat-token', match: { path: `/${ep.bucket}`, query: word } });
  const rep = await client.listUploads({ prefix: `${dir}/`, 'max-uploads': 1, 'key-marker': key, 'upload-id-marker': sorted[0] });
  assert.strictEqual(rep.isTruncated, true);
  assert.strictEqual(rep.nextKeyMarker, key);
  assert.strictEqual(rep.nextUploadIdMarker, sorted[0]);
  for (const id of ids) await client.abortMultipartUpload(key, id);
});

/** Sends CompleteMultipartUpload by hand: the raw answer, whatever its body. */
async function rawComplete(client, key, uploadId, parts) {
  let xml = '<?xml version="1.0" encoding="UTF-8"?>\n<CompleteMultipartUpload>';
  for (const p of parts) xml += `<Part><PartNumber>${p.number}</PartNumber><ETag>${p.etag}</ETag></Part>`;
  xml += '</CompleteMultipartUpload>';
  const params = client._objectRequestParams('POST', key, { subres: { uploadId } });
  params.mime = 'xml';
  params.content = xml;
  params.successStatuses = [200];
  const r = await client.request(params);
  return { status: r.status, body: Buffer.from(r.data).toString('utf8') };
}

async function oneUpload(client, key) {
  const { uploadId } = await client.initMultipartUpload(key);
  const part = await client.uploadPart(key, uploadId, 1, BODY, 0, BODY.length);
  return { uploadId, parts: [{ number: 1, etag: part.etag }] };
}

test('complete-other-root: 200, the object completed, the root is CompleteMultipartUploadResponse', async () => {
  const key = uniqueKey('other-root.bin');
  armed.add(key);
  const client = aliClient(ep);
  const { uploadId, parts } = await oneUpload(client, key);
  await control(ep, 'POST', '/faults', { kind: 'complete-other-root', match: { method: 'POST', path: key, query: 'uploadId' } });
  const r = await rawComplete(client, key, uploadId, parts);
  assert.strictEqual(r.status, 200);
  assert.match(r.body, /^<\?xml[^>]*>\s*<CompleteMultipartUploadResponse[ >][\s\S]*<ETag>[^<]+<\/ETag>[\s\S]*<\/CompleteMultipartUploadResponse>\s*$/);
  assert.doesNotMatch(r.body, /CompleteMultipartUploadResult/);
  assert.deepStrictEqual((await client.get(key)).content, BODY);
});

test('complete-garbage: 200 with a body no parser reads; forward: false leaves the upload open', async () => {
  const client = aliClient(ep);
  for (const forward of [true, false]) {
    const key = uniqueKey(`garbage-${forward}.bin`);
    armed.add(key);
    const { uploadId, parts } = await oneUpload(client, key);
    await control(ep, 'POST', '/faults', { kind: 'complete-garbage', forward, match: { method: 'POST', path: key, query: 'uploadId' } });
    const r = await rawComplete(client, key, uploadId, parts);
    assert.strictEqual(r.status, 200);
    assert.doesNotMatch(r.body, /ETag/);
    assert.ok(r.body.includes('\x00'), 'not even well-formed text');
    if (forward) {
      assert.deepStrictEqual((await client.get(key)).content, BODY);
    } else {
      await assert.rejects(client.head(key), e => e.status === 404);
      await client.abortMultipartUpload(key, uploadId); // the upload is still there
    }
  }
});
