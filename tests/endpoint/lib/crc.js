// CRC-64/ECMA-182 (the value OSS returns in x-oss-hash-crc64ecma) of stored
// files, computed with the npm crc64-ecma182.js package and cached by size+mtime.
// The cache holds the computation itself, so parallel ranged GETs of a new
// object wait for one CRC instead of each computing it (16 parts of a 5 GiB
// object started 16 passes over 5 GiB at once: the store download took 1.6x
// curl's single GET).
'use strict';

const fs = require('fs');
const crc64 = require('crc64-ecma182.js');

const cache = new Map();

/** Resolves to the decimal CRC-64 string of a file's contents. */
async function fileCrc64(path) {
  const st = await fs.promises.stat(path);
  const hit = cache.get(path);
  if (hit && hit.size === st.size && hit.mtimeMs === st.mtimeMs) return hit.crc;
  const entry = { size: st.size, mtimeMs: st.mtimeMs };
  entry.crc = new Promise((resolve, reject) => {
    crc64.crc64File(path, (err, value) => (err ? reject(err) : resolve(value)));
  });
  cache.set(path, entry);
  entry.crc.catch(() => { if (cache.get(path) === entry) cache.delete(path); });
  return entry.crc;
}

/** Decimal CRC-64 string of a buffer or string (for tests and known values). */
function bufferCrc64(buf, prev) {
  return crc64.crc64(buf, prev);
}

module.exports = { fileCrc64, bufferCrc64 };
