// Presigned URLs (OSS V1, OSS V4, AWS SigV4) and the AWS SDK v3 over SigV4:
// the endpoint accepts them as Aliyun's and AWS's code sign them, and refuses
// expired or tampered ones.
'use strict';

const test = require('node:test');
const assert = require('node:assert');
const { SignatureV4 } = require('@smithy/signature-v4');
const { Hash } = require('@smithy/hash-node');
const { PutObjectCommand, GetObjectCommand, ListObjectsV2Command, HeadObjectCommand } = require('@aws-sdk/client-s3');
const { endpoint, aliClient, aliVhostClient, presign, fetchUrl, s3Client, uniqueKey } = require('./helpers');

const ep = endpoint();

async function stored(body) {
  const key = uniqueKey('presigned.txt');
  await aliClient(ep).put(key, Buffer.from(body));
  return key;
}

test('OSS V1 presigned GET works; tampered signature and expired URL are refused', async () => {
  const key = await stored('v1 url');
  const ok = await fetchUrl(ep, presign(ep, key));
  assert.strictEqual(ok.status, 200);
  assert.strictEqual(ok.body.toString(), 'v1 url');
  const url = new URL(presign(ep, key));
  const sig = url.searchParams.get('Signature');
  url.searchParams.set('Signature', (sig[0] === 'A' ? 'B' : 'A') + sig.slice(1));
  const bad = await fetchUrl(ep, url.toString());
  assert.strictEqual(bad.status, 403);
  assert.match(bad.body.toString(), /<Code>SignatureDoesNotMatch<\/Code>/);
  const old = await fetchUrl(ep, presign(ep, key, { expires: -60 }));
  assert.strictEqual(old.status, 403);
  assert.match(old.body.toString(), /<Code>AccessDenied<\/Code>[\s\S]*Request has expired/);
});

test('OSS V4 presigned GET works; expired URL is refused', async () => {
  const key = await stored('v4 url');
  const c = aliVhostClient(ep, { v4: true });
  const ok = await fetchUrl(ep, await c.signatureUrlV4('GET', 60, {}, key));
  assert.strictEqual(ok.status, 200);
  assert.strictEqual(ok.body.toString(), 'v4 url');
  const old = await fetchUrl(ep, await c.signatureUrlV4('GET', -1, {}, key));
  assert.strictEqual(old.status, 403);
  assert.match(old.body.toString(), /Request has expired/);
});

test('AWS SDK v3 (SigV4): put, get, list, head of a missing key', async () => {
  const s3 = s3Client(ep);
  const key = uniqueKey('aws sdk+~.txt');
  await s3.send(new PutObjectCommand({ Bucket: ep.bucket, Key: key, Body: 'from aws sdk' }));
  const got = await s3.send(new GetObjectCommand({ Bucket: ep.bucket, Key: key }));
  assert.strictEqual(await got.Body.transformToString(), 'from aws sdk');
  const list = await s3.send(new ListObjectsV2Command({ Bucket: ep.bucket, Prefix: key }));
  assert.deepStrictEqual(list.Contents.map(o => o.Key), [key]);
  await assert.rejects(s3.send(new HeadObjectCommand({ Bucket: ep.bucket, Key: `${key}.missing` })),
    e => e.$metadata.httpStatusCode === 404);
});

test('AWS SDK v3: wrong secret → SignatureDoesNotMatch; session token accepted', async () => {
  const bad = s3Client(ep, { secret: 'wrong' });
  await assert.rejects(bad.send(new GetObjectCommand({ Bucket: ep.bucket, Key: 'x' })),
    e => e.name === 'SignatureDoesNotMatch' && e.$metadata.httpStatusCode === 403);
  const sts = s3Client(ep, { sts: true });
  const key = uniqueKey('aws-sts.txt');
  await sts.send(new PutObjectCommand({ Bucket: ep.bucket, Key: key, Body: 'sts' }));
  const got = await sts.send(new GetObjectCommand({ Bucket: ep.bucket, Key: key }));
  assert.strictEqual(await got.Body.transformToString(), 'sts');
});

test('AWS SigV4 presigned GET (signed by @smithy/signature-v4) works; expired is refused', async () => {
  const key = await stored('sigv4 url');
  const signer = new SignatureV4({
    credentials: { accessKeyId: ep.credentials.access_key_id, secretAccessKey: ep.credentials.access_key_secret },
    region: ep.region, service: 's3', sha256: Hash.bind(null, 'sha256'), uriEscapePath: false,
  });
  const host = `localhost:${ep.ports.h1_tls}`;
  const sign = async (date, expiresIn) => {
    const r = await signer.presign({
      method: 'GET', protocol: 'https:', hostname: 'localhost', port: ep.ports.h1_tls,
      path: `/${ep.bucket}/${key.split('/').map(encodeURIComponent).join('/')}`, query: {},
      headers: { host, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' }, // as AWS's S3 presigner does
    }, {
      signingDate: date, expiresIn, unsignableHeaders: new Set(['x-amz-content-sha256']),
      unhoistableHeaders: new Set(['x-amz-content-sha256']),
    });
    const qs = Object.entries(r.query).map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&');
    return `https://${host}${r.path}?${qs}`;
  };
  const ok = await fetchUrl(ep, await sign(new Date(), 60));
  assert.strictEqual(ok.status, 200);
  assert.strictEqual(ok.body.toString(), 'sigv4 url');
  const old = await fetchUrl(ep, await sign(new Date(Date.now() - 3600e3), 60));
  assert.strictEqual(old.status, 403);
});
