#!/usr/bin/env node
// ./dev demo, foundation stage: the local endpoint stores and serves
// call_center.dat over TLS + HTTP/2, and ossio's own CRC-64 checks the bytes.
// ossio cannot speak HTTP yet (the transport is the next issue), so the HTTP
// clients here are Aliyun's ali-oss (upload, list) and Node's http2 (read).
//   node tests/endpoint/demo.js <endpoint state dir> <file>
'use strict';

const { execFileSync } = require('child_process');
const fs = require('fs');
const http2 = require('http2');
const path = require('path');
const { aliClient, presign } = require('./test/helpers');

async function main() {
  const [state, file] = process.argv.slice(2);
  const ep = JSON.parse(fs.readFileSync(path.join(state, 'endpoint.json'), 'utf8'));
  const data = fs.readFileSync(file);
  const key = `demo/${path.basename(file)}`;
  const say = s => process.stdout.write(`${s}\n`);

  say(`endpoint: OSS front on s3rver, nghttpx TLS+h2 at https://127.0.0.1:${ep.ports.h2_tls} (bucket ${ep.bucket})`);
  const oss = aliClient(ep);
  const put = await oss.put(key, data);
  say(`1. upload   ${key} (${data.length} bytes) with ali-oss, OSS V1 signature checked by ali-oss's signUtils → HTTP ${put.res.status}`);

  const list = await oss.listV2({ prefix: 'demo/' });
  say(`2. list     oss://${ep.bucket}/demo/ → ${list.objects.map(o => `${o.name} (${o.size} B)`).join(', ')}`);

  const u = new URL(presign(ep, key));
  const session = http2.connect(`https://127.0.0.1:${ep.ports.h2_tls}`, { ca: fs.readFileSync(ep.ca_file), servername: 'localhost' });
  const { headers, body, alpn } = await new Promise((resolve, reject) => {
    session.on('error', reject);
    const s = session.request({ ':path': u.pathname + u.search, ':authority': u.host });
    const chunks = [];
    let h;
    s.on('response', hh => { h = hh; });
    s.on('data', c => chunks.push(c));
    s.on('end', () => resolve({ headers: h, body: Buffer.concat(chunks), alpn: session.alpnProtocol }));
    s.on('error', reject);
  });
  session.close();
  say(`3. read     over ALPN "${alpn}" with a presigned V1 URL → :status ${headers[':status']}, ${body.length} bytes, ` +
      `request id ${headers['x-oss-request-id']}`);
  if (!body.equals(data)) throw new Error('the bytes read back differ from the file');
  const rows = body.toString('utf8').split('\n').filter(Boolean);
  say(`   ${rows.length} rows; first columns of each:`);
  for (const r of rows) say(`     ${r.split('|').slice(0, 4).join(' | ')}`);

  const serverCrc = headers['x-oss-hash-crc64ecma'];
  const tool = path.join(process.env.OSSIO_BIN_DIR || '', 'examples', 'crc64sum');
  if (fs.existsSync(tool)) {
    const ours = execFileSync(tool, [file], { encoding: 'utf8' }).trim().split(/\s+/)[0];
    say(`4. verify   ossio_crc64() of the local file = ${ours}; endpoint's x-oss-hash-crc64ecma = ${serverCrc} → ` +
        (ours === serverCrc ? 'match' : 'MISMATCH'));
    if (ours !== serverCrc) throw new Error('CRC-64 mismatch');
  } else {
    say(`4. verify   skipped: ${tool} not built`);
  }
  say('done. ossio used so far: its CRC-64 (ISA-L) and version report; HTTP by ali-oss and Node until the transport lands.');
  say(`ossio: ${execFileSync(path.join(process.env.OSSIO_BIN_DIR || '', 'examples', 'version'), { encoding: 'utf8' }).trim().split('\n')[0]}`);
}

main().catch(e => {
  process.stderr.write(`demo failed: ${e.message}\n`);
  process.exit(1);
});
