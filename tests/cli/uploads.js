// Prints how many multipart uploads are open under a key prefix, asked with
// Aliyun's own client (ListMultipartUploads), for tests/cli/cli_test.sh.
'use strict';
const { aliClient, endpoint } = require('../endpoint/test/helpers.js');

(async () => {
  const res = await aliClient(endpoint()).listUploads({ prefix: process.argv[2], 'max-uploads': 1000 });
  console.log((res.uploads || []).length);
})().catch(e => { console.error(e.message); process.exit(1); });
