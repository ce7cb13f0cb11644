// ListObjects (V1) and ListObjectsV2, answered by the front over s3rver's
// store. s3rver 3.7's own listing cannot be used: its V2 continuation token
// needs a cipher OpenSSL 3 no longer offers (500 on every truncated page), and
// it crashes on a truncated page holding only common prefixes. OSS and S3
// rules: keys sorted, max-keys counts keys and common prefixes together,
// encoding-type=url percent-encodes every key-like field.
'use strict';

const fs = require('fs');
const path = require('path');
const FilesystemStore = require('s3rver/lib/stores/filesystem');
const { fromStore } = require('./storekey');
const { xmlEscape } = require('./multipart');
const { pageFault } = require('./faults');

const OBJECT_SUFFIX = '._S3rver_object';

/** Every key in the bucket (decoded, sorted). */
async function allKeys(storeDir, bucket) {
  const root = path.join(storeDir, bucket);
  const out = [];
  const walk = async dir => {
    let names;
    try {
      names = await fs.promises.readdir(dir, { withFileTypes: true });
    } catch (e) {
      return;
    }
    for (const d of names) {
      const p = path.join(dir, d.name);
      if (d.isDirectory()) {
        await walk(p);
      } else if (d.name.endsWith(OBJECT_SUFFIX)) {
        const stored = FilesystemStore.decodeKeyPath(path.relative(root, p).slice(0, -OBJECT_SUFFIX.length));
        out.push(fromStore(stored));
      }
    }
  };
  await walk(root);
  return out.sort((a, b) => (Buffer.compare(Buffer.from(a), Buffer.from(b))));
}

const enc = (s, url) => xmlEscape(url ? encodeURIComponent(s).replace(/%2F/g, '/') : s);
const token = key => Buffer.from(key, 'utf8').toString('base64');
const untoken = t => Buffer.from(t, 'base64').toString('utf8');

/**
 * Answers a listing. q: decoded query ({prefix, delimiter, 'max-keys',
 * marker, 'continuation-token', 'start-after', 'encoding-type', 'list-type'}).
 * metadata(key) resolves to {size, etag, lastModified}. fault: the armed
 * fault this request took, if any (list-* faults break the paging).
 */
async function listObjects(storeDir, bucket, q, metadata, fault = null) {
  const v2 = q['list-type'] === '2';
  const url = q['encoding-type'] === 'url';
  const prefix = q.prefix || '';
  const delimiter = q.delimiter || '';
  let maxKeys = q['max-keys'] === undefined ? 1000 : Number(q['max-keys']);
  if (!Number.isInteger(maxKeys) || maxKeys < 0) maxKeys = 1000;
  maxKeys = Math.min(maxKeys, 1000);
  let after = v2 ? (q['start-after'] || '') : (q.marker || '');
  if (v2 && q['continuation-token']) after = untoken(q['continuation-token']);

  const keys = (await allKeys(storeDir, bucket)).filter(k => k.startsWith(prefix));
  const contents = [];
  const prefixes = [];
  let last = null;
  let truncated = false;
  for (const key of keys) {
    let entry = key;
    let isPrefix = false;
    if (delimiter) {
      const i = key.indexOf(delimiter, prefix.length);
      if (i >= 0) {
        entry = key.slice(0, i + delimiter.length);
        isPrefix = true;
      }
    }
    if (entry <= after || (isPrefix && prefixes.length && prefixes[prefixes.length - 1] === entry)) continue;
    if (contents.length + prefixes.length >= maxKeys) {
      truncated = true;
      break;
    }
    if (isPrefix) prefixes.push(entry);
    else contents.push(key);
    last = entry;
  }

  // V2's token is opaque (the last entry, base64); V1's marker is the last entry.
  const sentToken = v2 ? (q['continuation-token'] || null) : (q.marker || null);
  const page = pageFault(fault, { truncated, next: truncated ? (v2 ? token(last) : last) : null, sent: sentToken });
  truncated = page.truncated;

  let xml = '<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult>';
  xml += `<Name>${xmlEscape(bucket)}</Name><Prefix>${enc(prefix, url)}</Prefix>`;
  if (v2) {
    if (q['continuation-token']) xml += `<ContinuationToken>${xmlEscape(q['continuation-token'])}</ContinuationToken>`;
    if (q['start-after']) xml += `<StartAfter>${enc(q['start-after'], url)}</StartAfter>`;
    if (page.next !== null) xml += `<NextContinuationToken>${xmlEscape(page.next)}</NextContinuationToken>`;
    xml += `<KeyCount>${contents.length + prefixes.length}</KeyCount>`;
  } else {
    xml += `<Marker>${enc(q.marker || '', url)}</Marker>`;
    if (page.next !== null) xml += `<NextMarker>${enc(page.next, url)}</NextMarker>`;
  }
  xml += `<MaxKeys>${maxKeys}</MaxKeys>`;
  if (delimiter) xml += `<Delimiter>${enc(delimiter, url)}</Delimiter>`;
  if (url) xml += '<EncodingType>url</EncodingType>';
  xml += `<IsTruncated>${truncated}</IsTruncated>`;
  for (const key of contents) {
    const m = await metadata(key);
    if (!m) continue;
    xml += `<Contents><Key>${enc(key, url)}</Key><LastModified>${m.lastModified}</LastModified>`;
    xml += `<ETag>${xmlEscape(m.etag)}</ETag><Type>Normal</Type><Size>${m.size}</Size>`;
    xml += '<StorageClass>Standard</StorageClass></Contents>';
  }
  for (const p of prefixes) xml += `<CommonPrefixes><Prefix>${enc(p, url)}</Prefix></CommonPrefixes>`;
  return `${xml}</ListBucketResult>`;
}

module.exports = { listObjects };
