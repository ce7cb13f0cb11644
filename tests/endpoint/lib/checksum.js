// S3's additional checksums in the endpoint's S3 mode (SigV4 requests): a
// PutObject or UploadPart carrying x-amz-checksum-crc32c (or -crc32) is
// verified over the bytes received, with the npm @aws-crypto packages (not
// ossio's code), and refused with 400 BadDigest as S3 does; the value is
// echoed. CompleteMultipartUpload checks each <ChecksumCRC32C> against the
// stored part and a FULL_OBJECT x-amz-checksum-crc32c against the parts'
// bytes in order. GET and HEAD with x-amz-checksum-mode: ENABLED get the
// object's full-object checksum (also on a ranged GET, where AWS sends none).
'use strict';

const fs = require('fs');
const { Crc32c } = require('@aws-crypto/crc32c');
const { Crc32 } = require('@aws-crypto/crc32');
const { OssError } = require('./multipart');

const ALGOS = { crc32c: Crc32c, crc32: Crc32 };
const NAMES = { crc32c: 'CRC32C', crc32: 'CRC32' };

const b64 = n => { const b = Buffer.alloc(4); b.writeUInt32BE(n >>> 0); return b.toString('base64'); };

const isS3 = ctx => /^aws-sigv4/.test(ctx.scheme || '');

/** The checksum header a request carries: {algo, value}, or null. */
function sent(headers) {
  for (const algo of Object.keys(ALGOS)) {
    const v = headers[`x-amz-checksum-${algo}`];
    if (v !== undefined) return { algo, value: String(v) };
  }
  return null;
}

/** The checksum of the files at |paths|, read in order. */
async function filesSum(algo, paths) {
  const h = new ALGOS[algo]();
  for (const p of paths) {
    for await (const chunk of fs.createReadStream(p)) h.update(chunk);
  }
  return b64(h.digest());
}

function readAll(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', c => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

const badDigest = algo => new OssError(400, 'BadDigest', `The ${NAMES[algo]} you specified did not match the calculated checksum.`);

class S3Checksums {
  constructor() {
    this.algoOf = new Map(); // stored object file -> the algorithm it was written with
    this.verified = 0;       // checksums verified (stats)
    this.mismatches = 0;
  }

  /**
   * PutObject / UploadPart. Returns null (no checksum: streamed as before) or
   * {body, answer}: the body read whole and verified, the headers to answer.
   * The endpoint's flip fault flips a byte of the body on its way in (a
   * body corrupted in transit). Throws BadDigest on a mismatch.
   */
  async put(req, ctx) {
    const s = isS3(ctx) ? sent(req.headers) : null;
    if (!s) return null;
    const named = req.headers['x-amz-sdk-checksum-algorithm'];
    if (named !== undefined && String(named).toLowerCase() !== s.algo) {
      throw new OssError(400, 'InvalidRequest', 'Value for x-amz-sdk-checksum-algorithm header is invalid.');
    }
    const body = await readAll(req);
    if (ctx.fault && ctx.fault.kind === 'flip' && body.length > 0) {
      body[ctx.fault.offset ?? Math.floor(body.length / 2)] ^= 0x01;
    }
    const value = b64(new ALGOS[s.algo]().update(body).digest());
    if (value !== s.value) {
      this.mismatches++;
      throw badDigest(s.algo);
    }
    this.verified++;
    return { body, algo: s.algo, answer: { [`x-amz-checksum-${s.algo}`]: value } };
  }

  /**
   * CompleteMultipartUpload: every part's <ChecksumCRC32C>/<ChecksumCRC32>
   * against its stored bytes (InvalidPart), the FULL_OBJECT header against
   * all parts in order (BadDigest; the flip fault makes the value differ, as
 * a part corrupted at rest would); without FULL_OBJECT, the COMPOSITE value
 * of the listed checksums. Returns {answer, algo, composite} or null.
   */
  async complete(req, ctx, xml, partPath) {
    if (!isS3(ctx)) return null;
    const parts = [...xml.matchAll(/<Part>([\s\S]*?)<\/Part>/g)].map(m => m[1]);
    const numbers = parts.map(p => (/<PartNumber>\s*(\d+)\s*<\/PartNumber>/.exec(p) || [])[1]);
    const listed = []; // the parts' checksums, raw, for a COMPOSITE value
    let listedAlgo = null;
    for (let i = 0; i < parts.length; i++) {
      const m = /<Checksum(CRC32C|CRC32)>([^<]*)<\/Checksum\1>/.exec(parts[i]);
      if (!m) continue;
      const algo = m[1].toLowerCase();
      listed.push(Buffer.from(m[2], 'base64'));
      listedAlgo = algo;
      if (await filesSum(algo, [partPath(numbers[i])]) !== m[2]) {
        this.mismatches++;
        throw new OssError(400, 'InvalidPart', `The ${m[1]} of part ${numbers[i]} did not match the stored part.`);
      }
      this.verified++;
    }
    const s = sent(req.headers);
    if (!s || String(req.headers['x-amz-checksum-type'] || '').toUpperCase() !== 'FULL_OBJECT') {
      // COMPOSITE, as S3: the checksum of the parts' checksums, "-<parts>".
      if (!listedAlgo || listed.length !== parts.length) return null;
      const value = `${b64(new ALGOS[listedAlgo]().update(Buffer.concat(listed)).digest())}-${parts.length}`;
      return { algo: listedAlgo, composite: value,
        answer: { [`x-amz-checksum-${listedAlgo}`]: value, 'x-amz-checksum-type': 'COMPOSITE' } };
    }
    let value = await filesSum(s.algo, numbers.map(partPath));
    if (ctx.fault && ctx.fault.kind === 'flip') {
      // As if a stored part had one bit flipped at rest: CRCs are linear,
      // so any one-bit change of the data changes the value.
      const v = Buffer.from(value, 'base64');
      v[3] ^= 0x01;
      value = v.toString('base64');
    }
    if (value !== s.value) {
      this.mismatches++;
      throw badDigest(s.algo);
    }
    this.verified++;
    return { algo: s.algo, answer: { [`x-amz-checksum-${s.algo}`]: value, 'x-amz-checksum-type': 'FULL_OBJECT' } };
  }

  /** An object file was written: with |algo| (its checksum is kept; a
   * COMPOSITE one as given), or without (forgotten). */
  stored(file, algo, composite) {
    if (algo) this.algoOf.set(file, { algo, composite });
    else this.algoOf.delete(file);
  }

  /** GET/HEAD: the headers to answer, computed over the stored file. */
  async read(req, ctx, file) {
    if (!isS3(ctx) || String(req.headers['x-amz-checksum-mode'] || '').toUpperCase() !== 'ENABLED') return null;
    const rec = this.algoOf.get(file);
    if (!rec) return null;
    if (rec.composite) return { [`x-amz-checksum-${rec.algo}`]: rec.composite, 'x-amz-checksum-type': 'COMPOSITE' };
    const value = await filesSum(rec.algo, [file]).catch(() => null);
    return value && { [`x-amz-checksum-${rec.algo}`]: value, 'x-amz-checksum-type': 'FULL_OBJECT' };
  }
}

module.exports = { S3Checksums, filesSum };
