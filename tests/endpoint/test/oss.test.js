// Self-tests with Aliyun's own client (ali-oss), OSS V1 and V4 signatures:
// the endpoint must accept what Aliyun's SDK sends and reject what it should.
'use strict';

const test = require('node:test');
const assert = require('node:assert');
const OSS = require('ali-oss');
const { endpoint, aliClient, aliVhostClient, fetchUrl, uniqueKey } = require('./helpers');
const { bufferCrc64 } = require('../lib/crc');

const ep = endpoint();

for (const v4 of [false, true]) {
  const scheme = v4 ? 'V4' : 'V1';

  test(`${scheme}: put, get and crc64 header of an odd key`, async () => {
    // nghttpx merges '//' in paths, so this key goes to Node's own h2/TLS port.
    const c = aliClient(ep, { v4, port: ep.ports.h2_tls_raw });
    const key = uniqueKey('dir//a b+c~ü%41.txt');
    const body = Buffer.from('hello, ossio\n'.repeat(1000));
    const put = await c.put(key, body);
    assert.strictEqual(put.res.status, 200);
    assert.strictEqual(put.res.headers['x-oss-hash-crc64ecma'], bufferCrc64(body));
    assert.match(put.res.headers['x-oss-request-id'], /^[0-9A-F]{24}$/);
    const got = await c.get(key);
    assert.deepStrictEqual(got.content, body);
    assert.strictEqual(got.res.headers['x-oss-hash-crc64ecma'], bufferCrc64(body));
  });

  test(`${scheme}: ranged get returns 206 and the whole object's crc64`, async () => {
    const c = aliClient(ep, { v4 });
    const key = uniqueKey('range.bin');
    const body = Buffer.from(Array.from({ length: 4096 }, (_, i) => i & 0xff));
    await c.put(key, body);
    const got = await c.get(key, { headers: { Range: 'bytes=100-1123' } });
    assert.strictEqual(got.res.status, 206);
    assert.strictEqual(got.res.headers['content-range'], 'bytes 100-1123/4096');
    assert.deepStrictEqual(got.content, body.subarray(100, 1124));
    assert.strictEqual(got.res.headers['x-oss-hash-crc64ecma'], bufferCrc64(body));
  });

  test(`${scheme}: list by prefix`, async () => {
    const c = aliClient(ep, { v4 });
    const prefix = uniqueKey('list/');
    for (const n of ['a', 'b', 'c/d']) await c.put(prefix + n, Buffer.from(n));
    const all = await c.listV2({ prefix, 'max-keys': 10 });
    assert.deepStrictEqual(all.objects.map(o => o.name).sort(), ['a', 'b', 'c/d'].map(n => prefix + n));
    const dirs = await c.listV2({ prefix, delimiter: '/' });
    assert.deepStrictEqual(dirs.prefixes, [`${prefix}c/`]);
  });

  test(`${scheme}: virtual-hosted <bucket>.oss.localhost addressing`, async () => {
    const c = aliVhostClient(ep, { v4 });
    const key = uniqueKey('vhost.txt');
    await c.put(key, Buffer.from('vhost'));
    const got = await c.get(key);
    assert.strictEqual(got.content.toString(), 'vhost');
  });

  test(`${scheme}: wrong secret → 403 SignatureDoesNotMatch with OSS error fields`, async () => {
    const c = aliClient(ep, { v4, secret: 'not-the-secret' });
    await assert.rejects(c.put(uniqueKey('x'), Buffer.from('x')), e => {
      assert.strictEqual(e.status, 403);
      assert.strictEqual(e.code, 'SignatureDoesNotMatch');
      assert.match(e.requestId, /^[0-9A-F]{24}$/);
      assert.ok(e.hostId);
      assert.match(e.ecCode, /^\d{4}-\d{8}$/);
      return true;
    });
  });

  test(`${scheme}: STS token accepted, wrong token rejected`, async () => {
    const good = aliClient(ep, { v4, sts: true });
    const key = uniqueKey('sts.txt');
    await good.put(key, Buffer.from('sts'));
    assert.strictEqual((await good.get(key)).content.toString(), 'sts');
    const bad = aliClient(ep, { v4, sts: true, token: 'forged-token' });
    await assert.rejects(bad.get(key), e => e.status === 403 && e.code === 'InvalidSecurityToken');
  });
}

test('unknown access key → 403 InvalidAccessKeyId', async () => {
  const c = new OSS({
    accessKeyId: 'LTAInobody', accessKeySecret: 'x', bucket: ep.bucket, region: `oss-${ep.region}`,
    endpoint: `http://127.0.0.1:${ep.ports.http}`, retryMax: 0,
  });
  await assert.rejects(c.get('anything'), e => e.status === 403 && e.code === 'InvalidAccessKeyId');
});

test('missing key: GET gives NoSuchKey XML, HEAD gives it base64 in x-oss-err', async () => {
  const c = aliClient(ep);
  await assert.rejects(c.get(uniqueKey('missing')), e => e.status === 404 && e.code === 'NoSuchKey');
  const url = aliVhostClient(ep).signatureUrl(uniqueKey('missing'), { method: 'HEAD', expires: 60 });
  const res = await fetchUrl(ep, url, { method: 'HEAD' });
  assert.strictEqual(res.status, 404);
  const xml = Buffer.from(res.headers['x-oss-err'], 'base64').toString('utf8');
  assert.match(xml, /<Code>NoSuchKey<\/Code>/);
  assert.match(xml, /<RequestId>[0-9A-F]{24}<\/RequestId>/);
  assert.strictEqual(xml.match(/<RequestId>(.*)<\/RequestId>/)[1], res.headers['x-oss-request-id']);
  assert.match(xml, /<EC>\d{4}-\d{8}<\/EC>/);
});

test('x-oss-forbid-overwrite: true → 409 FileAlreadyExists, object unchanged', async () => {
  const c = aliClient(ep);
  const key = uniqueKey('keep.txt');
  await c.put(key, Buffer.from('first'));
  await assert.rejects(c.put(key, Buffer.from('second'), { headers: { 'x-oss-forbid-overwrite': 'true' } }),
    e => e.status === 409 && e.code === 'FileAlreadyExists');
  assert.strictEqual((await c.get(key)).content.toString(), 'first');
});

test('If-Match on GET: the current ETag reads, another gives 412 PreconditionFailed', async () => {
  const c = aliClient(ep);
  const key = uniqueKey('if-match.txt');
  const put = await c.put(key, Buffer.from('version one'));
  const etag = put.res.headers.etag;
  assert.strictEqual((await c.get(key, { headers: { 'If-Match': etag } })).content.toString(), 'version one');
  await c.put(key, Buffer.from('version two'));
  await assert.rejects(c.get(key, { headers: { 'If-Match': etag } }),
    e => e.status === 412 && e.code === 'PreconditionFailed');
  assert.strictEqual((await c.get(key, { headers: { 'If-Match': '*' } })).content.toString(), 'version two');
});

test('known crc64 value: "123456789" → 0x995dc9bbdf1939fa', async () => {
  const c = aliClient(ep);
  const put = await c.put(uniqueKey('check.txt'), Buffer.from('123456789'));
  assert.strictEqual(BigInt(put.res.headers['x-oss-hash-crc64ecma']), 0x995dc9bbdf1939fan);
});

test('CopyObject of an odd key (x-oss-copy-source)', async () => {
  const c = aliClient(ep);
  const key = uniqueKey('copy src/a b+c&d=e.txt');
  await c.put(key, Buffer.from('copied'));
  const r = await c.copy(`${key}.copy`, key);
  assert.strictEqual(r.res.status, 200);
  assert.strictEqual((await c.get(`${key}.copy`)).content.toString(), 'copied');
});

test('user metadata round-trips as x-oss-meta-*', async () => {
  const c = aliClient(ep);
  const key = uniqueKey('meta.txt');
  await c.put(key, Buffer.from('m'), { meta: { owner: 'ossio' } });
  const head = await c.head(key);
  assert.strictEqual(head.res.headers['x-oss-meta-owner'], 'ossio');
});
