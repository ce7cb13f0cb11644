// Multipart self-tests with ali-oss: the calls s3rver lacks (ListParts, Abort,
// ListMultipartUploads) and OSS's part rules, as the front implements them.
'use strict';

const test = require('node:test');
const assert = require('node:assert');
const crypto = require('crypto');
const { endpoint, aliClient, uniqueKey } = require('./helpers');
const { bufferCrc64 } = require('../lib/crc');

const ep = endpoint();
const KB = 1024;

for (const v4 of [false, true]) {
  test(`${v4 ? 'V4' : 'V1'}: initiate, upload parts, list parts, complete`, async () => {
    const c = aliClient(ep, { v4, port: ep.ports.h2_tls_raw }); // '//' survives only this port
    const key = uniqueKey('multi//part.bin');
    const parts = [crypto.randomBytes(100 * KB), crypto.randomBytes(150 * KB), crypto.randomBytes(7)];
    const { uploadId } = await c.initMultipartUpload(key);
    const done = [];
    for (let i = 0; i < parts.length; i++) {
      const r = await c.uploadPart(key, uploadId, i + 1, parts[i], 0, parts[i].length);
      assert.strictEqual(r.res.headers['x-oss-hash-crc64ecma'], bufferCrc64(parts[i]));
      done.push({ number: i + 1, etag: r.etag });
    }
    const listed = await c.listParts(key, uploadId);
    assert.deepStrictEqual(listed.parts.map(p => Number(p.PartNumber)), [1, 2, 3]);
    assert.deepStrictEqual(listed.parts.map(p => Number(p.Size)), parts.map(p => p.length));
    const whole = Buffer.concat(parts);
    const fin = await c.completeMultipartUpload(key, uploadId, done);
    assert.strictEqual(fin.res.status, 200);
    assert.strictEqual(fin.res.headers['x-oss-hash-crc64ecma'], bufferCrc64(whole));
    const got = await c.get(key);
    assert.deepStrictEqual(got.content, whole);
    await assert.rejects(c.listParts(key, uploadId), e => e.status === 404 && e.code === 'NoSuchUpload');
  });
}

test('ListParts pages with max-parts and part-number-marker', async () => {
  const c = aliClient(ep);
  const key = uniqueKey('paged.bin');
  const { uploadId } = await c.initMultipartUpload(key);
  for (let n = 1; n <= 5; n++) await c.uploadPart(key, uploadId, n, Buffer.alloc(10, n), 0, 10);
  const first = await c.listParts(key, uploadId, { 'max-parts': 2 });
  assert.deepStrictEqual(first.parts.map(p => Number(p.PartNumber)), [1, 2]);
  assert.strictEqual(String(first.isTruncated), 'true');
  const rest = await c.listParts(key, uploadId, { 'part-number-marker': first.nextPartNumberMarker });
  assert.deepStrictEqual(rest.parts.map(p => Number(p.PartNumber)), [3, 4, 5]);
  await c.abortMultipartUpload(key, uploadId);
});

test('abort removes the upload: not listed, parts gone, no object', async () => {
  const c = aliClient(ep);
  const key = uniqueKey('aborted.bin');
  const { uploadId } = await c.initMultipartUpload(key);
  await c.uploadPart(key, uploadId, 1, crypto.randomBytes(200 * KB), 0, 200 * KB);
  const before = await c.listUploads({ prefix: key });
  assert.deepStrictEqual(before.uploads.map(u => [u.name, u.uploadId]), [[key, uploadId]]);
  const r = await c.abortMultipartUpload(key, uploadId);
  assert.strictEqual(r.res.status, 204);
  const after = await c.listUploads({ prefix: key });
  assert.deepStrictEqual(after.uploads, []);
  await assert.rejects(c.listParts(key, uploadId), e => e.code === 'NoSuchUpload');
  await assert.rejects(c.head(key), e => e.status === 404);
  await assert.rejects(c.abortMultipartUpload(key, uploadId), e => e.status === 404 && e.code === 'NoSuchUpload');
});

test('a part under 100 KB that is not the last → EntityTooSmall, upload kept', async () => {
  const c = aliClient(ep);
  const key = uniqueKey('small-parts.bin');
  const { uploadId } = await c.initMultipartUpload(key);
  const p1 = await c.uploadPart(key, uploadId, 1, Buffer.alloc(100 * KB - 1, 1), 0, 100 * KB - 1);
  const p2 = await c.uploadPart(key, uploadId, 2, Buffer.alloc(10, 2), 0, 10);
  await assert.rejects(c.completeMultipartUpload(key, uploadId, [{ number: 1, etag: p1.etag }, { number: 2, etag: p2.etag }]),
    e => e.status === 400 && e.code === 'EntityTooSmall');
  assert.strictEqual((await c.listParts(key, uploadId)).parts.length, 2);
  await c.abortMultipartUpload(key, uploadId);
});

test('part number outside 1..10000 → InvalidArgument; wrong ETag → InvalidPart', async () => {
  const c = aliClient(ep);
  const key = uniqueKey('bad-parts.bin');
  const { uploadId } = await c.initMultipartUpload(key);
  for (const n of [0, 10001]) {
    await assert.rejects(c.uploadPart(key, uploadId, n, Buffer.from('x'), 0, 1), e => e.status === 400 && e.code === 'InvalidArgument');
  }
  await c.uploadPart(key, uploadId, 1, Buffer.from('x'), 0, 1);
  await assert.rejects(c.completeMultipartUpload(key, uploadId, [{ number: 1, etag: '"00000000000000000000000000000000"' }]),
    e => e.status === 400 && e.code === 'InvalidPart');
  await c.abortMultipartUpload(key, uploadId);
});
