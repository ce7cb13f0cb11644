// s3rver's filesystem store removes a key's parent directories once empty
// after a DeleteObject, while a PutObject into the same "directory" may be
// between its mkdir and its open: the open then fails with ENOENT on a write
// stream that has no error handler, and the whole endpoint dies (seen with
// `ossio bench small`: PUT, GET and DELETE of many keys under one prefix at
// once). Here the empty-directory clean-up only runs while no write is in
// flight, synchronously, so no write can fall between the check and rmdir.
'use strict';

const fs = require('fs');
const path = require('path');
const FilesystemStore = require('s3rver/lib/stores/filesystem');

let writes = 0;
const counted = (fn) => async function (...args) {
  writes++;
  try {
    return await fn.apply(this, args);
  } finally {
    writes--;
  }
};

const P = FilesystemStore.prototype;
P.putObject = counted(P.putObject);
P.copyObject = counted(P.copyObject);
P.putObjectMultipart = counted(P.putObjectMultipart);
P.putMetadata = counted(P.putMetadata);

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
