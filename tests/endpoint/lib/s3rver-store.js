// s3rver's filesystem store, made safe for the concurrency ossio puts on it.
// s3rver writes with `a.pipe(b)` and no error handler on the file streams, so
// any file error is an uncaught exception that stops the whole endpoint (and
// every test after it fails with "connection refused"). Three races were seen:
//   - DeleteObject removes a key's empty parent directories while a PutObject
//     into the same "directory" is between its mkdir and its open (`ossio
//     bench small`: PUT, GET and DELETE of many keys under one prefix);
//   - AbortMultipartUpload removes the upload's directory while a
//     CompleteMultipartUpload of the same upload is opening its parts (a
//     writer canceled just as it completed);
//   - the same abort while an UploadPart is writing into that directory.
// Here every write goes through stream.pipeline (an error rejects, the
// request gets an error answer), an object appears by rename (a reader never
// sees half of it), Complete opens all its parts before it writes anything,
// and UploadPart never recreates an upload directory that is gone.
'use strict';

const crypto = require('crypto');
const fs = require('fs');
const path = require('path');
const { pipeline, Readable, Transform } = require('stream');
const FilesystemStore = require('s3rver/lib/stores/filesystem');
const S3Object = require('s3rver/lib/models/object');
const S3Error = require('s3rver/lib/models/error');

const P = FilesystemStore.prototype;

/** Writes |content| (a stream or a Buffer) to |file| → {size, md5}; any error rejects. */
function writeContent(file, content) {
  return new Promise((resolve, reject) => {
    const md5 = crypto.createHash('md5');
    let size = 0;
    const count = new Transform({
      transform(chunk, enc, cb) {
        md5.update(chunk);
        size += chunk.length;
        cb(null, chunk);
      },
    });
    const src = Buffer.isBuffer(content) ? Readable.from([content]) : content;
    pipeline(src, count, fs.createWriteStream(file), err => (err ? reject(err) : resolve({ size, md5: md5.digest('hex') })));
  });
}

/** rm -r that survives a writer adding a file between rm's listing and its
 * rmdir (ENOTEMPTY): it goes again; that writer then fails (NoSuchUpload). */
async function removeDir(dir) {
  for (let i = 0; ; i++) {
    try {
      return await fs.promises.rm(dir, { recursive: true, force: true });
    } catch (e) {
      if (e.code !== 'ENOTEMPTY' || i >= 20) throw e;
    }
  }
}

const tmpName = file => `${file}.${crypto.randomBytes(6).toString('hex')}.tmp`;

let writes = 0;
const counted = fn => async function countedWrite(...args) {
  writes++;
  try {
    return await fn.apply(this, args);
  } finally {
    writes--;
  }
};

/** PutObject: into a temporary file beside the object, then renamed over it. */
async function putObject(object) {
  const objectPath = this.getResourcePath(object.bucket, object.key, 'object');
  await fs.promises.mkdir(path.dirname(objectPath), { recursive: true });
  const tmp = tmpName(objectPath);
  let out;
  try {
    out = await writeContent(tmp, object.content);
    await fs.promises.rename(tmp, objectPath);
  } catch (err) {
    await fs.promises.unlink(tmp).catch(() => {});
    throw err;
  }
  await this.putMetadata(object.bucket, object.key, object.metadata, out.md5);
  return out;
}

const uploadDirOf = (store, bucket, uploadId) => path.join(store.getResourcePath(bucket, undefined, 'uploads'), uploadId);
const noSuchUpload = () => new S3Error('NoSuchUpload', 'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.', {});

/** UploadPart: only into an upload that exists (an aborted one is not recreated). */
async function putPart(bucket, uploadId, partNumber, content) {
  const dir = uploadDirOf(this, bucket, uploadId);
  const partPath = path.join(dir, String(partNumber));
  const tmp = tmpName(partPath);
  let out;
  try {
    out = await writeContent(tmp, content);
    await fs.promises.rename(tmp, partPath);
    await fs.promises.writeFile(`${partPath}.md5`, out.md5);
  } catch (err) {
    await fs.promises.unlink(tmp).catch(() => {});
    if (err.code === 'ENOENT') throw noSuchUpload();
    throw err;
  }
  return out;
}

/** CompleteMultipartUpload: every part opened first (an abort after that no
 * longer matters: open files stay readable), then one stream of them all. */
async function putObjectMultipart(bucket, uploadId, parts) {
  const dir = uploadDirOf(this, bucket, uploadId);
  const handles = [];
  let key;
  let metadata;
  try {
    [key, metadata] = await Promise.all([
      fs.promises.readFile(path.join(dir, 'key'), 'utf8'),
      fs.promises.readFile(path.join(dir, 'metadata'), 'utf8').then(JSON.parse),
    ]);
    for (const part of [...parts].sort((a, b) => a.number - b.number)) {
      handles.push(await fs.promises.open(path.join(dir, String(part.number)), 'r'));
    }
  } catch (err) {
    await Promise.all(handles.map(h => h.close().catch(() => {})));
    if (err.code === 'ENOENT') throw noSuchUpload();
    throw err;
  }
  async function* bytes() {
    try {
      for (const h of handles) {
        for await (const chunk of h.createReadStream({ autoClose: false })) yield chunk;
      }
    } finally {
      await Promise.all(handles.map(h => h.close().catch(() => {})));
    }
  }
  const result = await this.putObject(new S3Object(bucket, key, Readable.from(bytes()), metadata));
  await removeDir(dir);
  return result;
}

P.putObject = counted(putObject);
P.putPart = counted(putPart);
P.copyObject = counted(P.copyObject);
P.putObjectMultipart = counted(putObjectMultipart);
P.putMetadata = counted(P.putMetadata);

/** DeleteObject: empty parent directories are removed only while no write is
 * in flight, synchronously, so no write falls between the check and rmdir. */
P.deleteObject = async function deleteObject(bucket, key) {
  await Promise.all(['object', 'object.md5', 'metadata.json'].map(r =>
    fs.promises.unlink(this.getResourcePath(bucket, key, r)).catch(err => {
      if (err.code !== 'ENOENT') throw err;
    })));
  if (writes > 0) return; // an empty directory left behind lists as nothing
  const parts = key.split('/');
  parts.pop(); // the last part is in the file name
  const bucketPath = this.getBucketPath(bucket);
  try {
    while (parts.length && fs.readdirSync(path.join(bucketPath, ...parts)).length === 0) {
      fs.rmdirSync(path.join(bucketPath, ...parts));
      parts.pop();
    }
  } catch (err) {
    if (err.code !== 'ENOENT' && err.code !== 'ENOTEMPTY') throw err;
  }
};

module.exports = { removeDir };
