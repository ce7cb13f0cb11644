// The multipart calls s3rver 3.7 lacks (AbortMultipartUpload, ListParts,
// ListMultipartUploads) and OSS's part rules, implemented over s3rver's own
// on-disk upload directories: <store>/<bucket>/._S3rver_uploads/<uploadId>/.
'use strict';

const fs = require('fs');
const path = require('path');
const FilesystemStore = require('s3rver/lib/stores/filesystem');
const { fileCrc64 } = require('./crc');
const { removeDir } = require('./s3rver-store');
const { toStore, fromStore } = require('./storekey');
const { pageFault } = require('./faults');

const MIN_PART_SIZE = 100 * 1024; // OSS: every part but the last is at least 100 KB
const MAX_PART_NUMBER = 10000;

const xmlEscape = s => String(s).replace(/[<>&'"]/g, c => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]);

class OssError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

class Multipart {
  constructor(storeDir) {
    this.store = new FilesystemStore(storeDir);
  }

  uploadsDir(bucket) {
    return this.store.getResourcePath(bucket, undefined, 'uploads');
  }

  uploadDir(bucket, uploadId) {
    if (!/^[A-Za-z0-9_-]+$/.test(uploadId || '')) return null;
    return path.join(this.uploadsDir(bucket), uploadId);
  }

  objectPath(bucket, key) {
    return this.store.getResourcePath(bucket, toStore(key), 'object');
  }

  partPath(bucket, uploadId, partNumber) {
    const dir = this.uploadDir(bucket, uploadId);
    return dir && path.join(dir, String(partNumber));
  }

  /** Throws NoSuchUpload unless the upload exists and belongs to key. */
  async requireUpload(bucket, key, uploadId) {
    const dir = this.uploadDir(bucket, uploadId);
    let storedKey = null;
    if (dir) storedKey = await fs.promises.readFile(path.join(dir, 'key'), 'utf8').catch(() => null);
    if (storedKey === null || (key !== undefined && storedKey !== toStore(key))) {
      throw new OssError(404, 'NoSuchUpload', 'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.');
    }
    return dir;
  }

  static checkPartNumber(n) {
    if (!/^\d+$/.test(n || '') || Number(n) < 1 || Number(n) > MAX_PART_NUMBER) {
      throw new OssError(400, 'InvalidArgument', `Part number must be an integer between 1 and ${MAX_PART_NUMBER}, inclusive.`);
    }
  }

  async parts(dir) {
    const names = await fs.promises.readdir(dir);
    const out = [];
    for (const name of names) {
      if (!/^\d+$/.test(name)) continue;
      const p = path.join(dir, name);
      const [st, md5] = await Promise.all([fs.promises.stat(p), fs.promises.readFile(`${p}.md5`, 'utf8').catch(() => '')]);
      out.push({ number: Number(name), size: st.size, mtime: st.mtime, etag: `"${md5}"`, md5, path: p });
    }
    return out.sort((a, b) => a.number - b.number);
  }

  async abort(bucket, key, uploadId) {
    const dir = await this.requireUpload(bucket, key, uploadId);
    await removeDir(dir); // an UploadPart may still be writing into it
  }

  /** ListParts; fault: the armed fault the request took, if any (list-* faults). */
  async listParts(bucket, key, uploadId, q, fault = null) {
    const dir = await this.requireUpload(bucket, key, uploadId);
    const marker = Number(q['part-number-marker'] || 0);
    const max = Math.min(Number(q['max-parts'] || 1000), 1000);
    const all = (await this.parts(dir)).filter(p => p.number > marker);
    const page = all.slice(0, max);
    const paging = pageFault(fault, {
      truncated: all.length > page.length,
      next: page.length ? page[page.length - 1].number : marker,
      sent: q['part-number-marker'] === undefined ? null : marker,
    });
    let xml = '<?xml version="1.0" encoding="UTF-8"?>\n<ListPartsResult>';
    xml += `<Bucket>${xmlEscape(bucket)}</Bucket><Key>${xmlEscape(key)}</Key><UploadId>${xmlEscape(uploadId)}</UploadId>`;
    xml += `<PartNumberMarker>${marker}</PartNumberMarker>`;
    if (paging.next !== null) xml += `<NextPartNumberMarker>${paging.next}</NextPartNumberMarker>`;
    xml += `<MaxParts>${max}</MaxParts><IsTruncated>${paging.truncated}</IsTruncated>`;
    for (const p of page) {
      xml += `<Part><PartNumber>${p.number}</PartNumber><LastModified>${p.mtime.toISOString()}</LastModified>`;
      xml += `<ETag>${xmlEscape(p.etag)}</ETag><HashCrc64ecma>${await fileCrc64(p.path)}</HashCrc64ecma><Size>${p.size}</Size></Part>`;
    }
    return `${xml}</ListPartsResult>`;
  }

  /** ListMultipartUploads; fault: the armed fault the request took, if any (list-* faults). */
  async listUploads(bucket, q, fault = null) {
    const root = this.uploadsDir(bucket);
    const ids = await fs.promises.readdir(root).catch(() => []);
    const uploads = [];
    for (const id of ids) {
      // An upload aborted or completed meanwhile (by another client) is gone: skip it.
      const key = await fs.promises.readFile(path.join(root, id, 'key'), 'utf8').catch(() => null);
      const st = key === null ? null : await fs.promises.stat(path.join(root, id, 'key')).catch(() => null);
      if (st === null) continue;
      uploads.push({ key: fromStore(key), id, initiated: st.mtime });
    }
    const prefix = q.prefix || '';
    const keyMarker = q['key-marker'] || '';
    const idMarker = q['upload-id-marker'] || '';
    const max = Math.min(Number(q['max-uploads'] || 1000), 1000);
    const sorted = uploads
      .filter(u => u.key.startsWith(prefix))
      .filter(u => u.key > keyMarker || (u.key === keyMarker && idMarker && u.id > idMarker))
      .sort((a, b) => (a.key === b.key ? (a.id < b.id ? -1 : 1) : a.key < b.key ? -1 : 1));
    const page = sorted.slice(0, max);
    const truncated = sorted.length > page.length;
    const last = page[page.length - 1];
    const paging = pageFault(fault, {
      truncated,
      next: truncated ? { key: last.key, id: last.id } : { key: '', id: '' },
      sent: keyMarker ? { key: keyMarker, id: idMarker } : null,
    });
    let xml = '<?xml version="1.0" encoding="UTF-8"?>\n<ListMultipartUploadsResult>';
    xml += `<Bucket>${xmlEscape(bucket)}</Bucket><KeyMarker>${xmlEscape(keyMarker)}</KeyMarker>`;
    xml += `<UploadIdMarker>${xmlEscape(idMarker)}</UploadIdMarker>`;
    if (paging.next !== null) {
      xml += `<NextKeyMarker>${xmlEscape(paging.next.key)}</NextKeyMarker>`;
      xml += `<NextUploadIdMarker>${xmlEscape(paging.next.id)}</NextUploadIdMarker>`;
    }
    xml += `<Delimiter></Delimiter><Prefix>${xmlEscape(prefix)}</Prefix><MaxUploads>${max}</MaxUploads>`;
    xml += `<IsTruncated>${paging.truncated}</IsTruncated>`;
    for (const u of page) {
      xml += `<Upload><Key>${xmlEscape(u.key)}</Key><UploadId>${xmlEscape(u.id)}</UploadId>`;
      xml += `<Initiated>${u.initiated.toISOString()}</Initiated></Upload>`;
    }
    return `${xml}</ListMultipartUploadsResult>`;
  }

  /** Checks a CompleteMultipartUpload body against the stored parts (OSS rules). */
  async checkComplete(bucket, key, uploadId, body) {
    const dir = await this.requireUpload(bucket, key, uploadId);
    const listed = [];
    const re = /<Part>([\s\S]*?)<\/Part>/g;
    let m;
    while ((m = re.exec(body)) !== null) {
      const num = /<PartNumber>\s*(\d+)\s*<\/PartNumber>/.exec(m[1]);
      const etag = /<ETag>([\s\S]*?)<\/ETag>/.exec(m[1]);
      if (!num || !etag) throw new OssError(400, 'MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema.');
      // Quotes come as &quot; (ali-oss, ossio) or &#34; (the AWS SDK for Go: rclone).
      const text = etag[1].replace(/&quot;|&#34;|&#x22;/gi, '"').replace(/&amp;/g, '&').trim();
      listed.push({ number: Number(num[1]), etag: text });
    }
    if (listed.length === 0) throw new OssError(400, 'MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema.');
    const stored = new Map((await this.parts(dir)).map(p => [p.number, p]));
    for (let i = 0; i < listed.length; i++) {
      const want = listed[i];
      if (i > 0 && want.number <= listed[i - 1].number) {
        throw new OssError(400, 'InvalidPartOrder', 'The list of parts was not in ascending order. Parts list must specified in order by part number.');
      }
      const have = stored.get(want.number);
      const bare = s => s.replace(/"/g, '').toLowerCase();
      if (!have || bare(have.etag) !== bare(want.etag)) {
        throw new OssError(400, 'InvalidPart', 'One or more of the specified parts could not be found or the specified entity tag might not have matched the part\'s entity tag.');
      }
      if (i < listed.length - 1 && have.size < MIN_PART_SIZE) {
        throw new OssError(400, 'EntityTooSmall', 'Your proposed upload is smaller than the minimum allowed size.');
      }
    }
  }
}

module.exports = { Multipart, OssError, xmlEscape, MIN_PART_SIZE };
