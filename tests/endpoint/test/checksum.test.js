// The endpoint's S3 mode checks S3's additional checksums as AWS's own SDK
// sends them: PutObject with x-amz-checksum-crc32c / -crc32 computed by the
// SDK is accepted and echoed, a wrong value is refused with BadDigest, and
// GetObject in checksum mode returns the stored value, which the SDK
// validates over the body (responseChecksumValidation WHEN_SUPPORTED).
'use strict';

const test = require('node:test');
const assert = require('node:assert');
const { PutObjectCommand, GetObjectCommand, HeadObjectCommand } = require('@aws-sdk/client-s3');
const { endpoint, s3Client, uniqueKey } = require('./helpers');

const ep = endpoint();
const body = Buffer.from('123456789');

test('PutObject with the SDK\'s CRC32C and CRC32 is accepted and echoed; GET returns it', async () => {
  const c = s3Client(ep);
  for (const [algo, field, value] of [['CRC32C', 'ChecksumCRC32C', '4waSgw=='], ['CRC32', 'ChecksumCRC32', 'y/Q5Jg==']]) {
    const key = uniqueKey(`sum-${algo}.txt`);
    const put = await c.send(new PutObjectCommand({ Bucket: ep.bucket, Key: key, Body: body, ChecksumAlgorithm: algo }));
    assert.strictEqual(put[field], value);
    const head = await c.send(new HeadObjectCommand({ Bucket: ep.bucket, Key: key, ChecksumMode: 'ENABLED' }));
    assert.strictEqual(head[field], value);
    assert.strictEqual(head.ChecksumType, 'FULL_OBJECT');
    // Without checksum mode, no checksum (as S3).
    const plain = await c.send(new HeadObjectCommand({ Bucket: ep.bucket, Key: key }));
    assert.strictEqual(plain[field], undefined);
  }
});

test('a wrong x-amz-checksum-crc32c is refused with 400 BadDigest and nothing is stored', async () => {
  const c = s3Client(ep);
  const key = uniqueKey('sum-bad.txt');
  await assert.rejects(
    c.send(new PutObjectCommand({ Bucket: ep.bucket, Key: key, Body: body, ChecksumCRC32C: 'AAAAAA==' })),
    e => e.name === 'BadDigest' && e.$metadata.httpStatusCode === 400);
  await assert.rejects(c.send(new HeadObjectCommand({ Bucket: ep.bucket, Key: key })),
    e => e.$metadata.httpStatusCode === 404);
});

test('GetObject in checksum mode is validated by the SDK over the body', async () => {
  const c = s3Client(ep);
  const key = uniqueKey('sum-get.txt');
  await c.send(new PutObjectCommand({ Bucket: ep.bucket, Key: key, Body: body, ChecksumAlgorithm: 'CRC32C' }));
  const v = s3Client(ep, { validate: true });
  const got = await v.send(new GetObjectCommand({ Bucket: ep.bucket, Key: key, ChecksumMode: 'ENABLED' }));
  assert.strictEqual((await got.Body.transformToString()), '123456789');
  assert.strictEqual(got.ChecksumCRC32C, '4waSgw==');
});
