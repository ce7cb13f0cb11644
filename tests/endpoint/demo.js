#!/usr/bin/env node
// ./dev demo: the local endpoint (s3rver behind the OSS front, nghttpx for
// TLS + HTTP/2) stores and serves call_center.dat, moved by ossio itself
// (examples/objects, OSS V4 signature, virtual-hosted bucket name) and read
// back with Aliyun's own SDK to show the two agree.
//   node tests/endpoint/demo.js <endpoint state dir> <file>
'use strict';

const { execFileSync, spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');
const { aliClient } = require('./test/helpers');

async function main() {
  const [state, file] = process.argv.slice(2);
  const ep = JSON.parse(fs.readFileSync(path.join(state, 'endpoint.json'), 'utf8'));
  const data = fs.readFileSync(file);
  const key = `demo/${path.basename(file)}`;
  const uri = `oss://${ep.bucket}/${key}`;
  const say = s => process.stdout.write(`${s}\n`);
  const bin = path.join(process.env.OSSIO_BIN_DIR || '', 'examples');
  const port = ep.ports.h2_tls;
  // Credentials through the environment, as Flink users pass them; never on a command line.
  const env = { ...process.env, OSS_ACCESS_KEY_ID: ep.credentials.access_key_id,
    OSS_ACCESS_KEY_SECRET: ep.credentials.access_key_secret };
  const args = [
    '-D', `fs.oss.endpoint=https://${ep.endpoint_host}:${port}`,
    '-D', `fs.oss.connection.resolve=${ep.bucket}.${ep.endpoint_host}:${port}:127.0.0.1`,
    '-D', `fs.oss.connection.ca.file=${ep.ca_file}`,
    '-D', 'fs.oss.signature.version=v4',
    '-D', `fs.oss.region=${ep.region}`,
  ];
  const ossio = (cmd, extra = []) => {
    const r = spawnSync(path.join(bin, 'objects'), [...args, cmd, ...extra], { env, maxBuffer: 1 << 26 });
    if (r.status !== 0) throw new Error(`ossio ${cmd} failed: ${r.stderr}`);
    return { out: r.stdout, err: r.stderr.toString() + r.stdout.toString().replace(/^(?!\s*\d+ |\s*DIR).*$/gm, '') };
  };

  say(`endpoint: OSS front on s3rver behind nghttpx (TLS + HTTP/2) at ${ep.endpoint_host}:${port}, bucket ${ep.bucket}`);
  say(`1. put   ${uri} (${data.length} bytes) with ossio`);
  process.stdout.write(indent(ossio('put', [uri, file]).err));
  say(`2. ls    oss://${ep.bucket}/demo/ with ossio`);
  const ls = ossio('ls', [`oss://${ep.bucket}/demo/`]);
  process.stdout.write(indent(ls.out.toString() + ls.err.split('\n').filter(l => l.startsWith('objects:')).join('\n')));
  say(`3. get   ${uri} with ossio`);
  const got = ossio('get', [uri]);
  process.stdout.write(indent(got.err.split('\n').filter(l => !/^\s*$/.test(l) && !l.includes('|')).join('\n')));
  if (!got.out.equals(data)) throw new Error('ossio read back different bytes');
  const rows = got.out.toString('utf8').split('\n').filter(Boolean);
  say(`   ${rows.length} rows; first columns of each:`);
  for (const r of rows) say(`     ${r.split('|').slice(0, 4).join(' | ')}`);
  const ali = await aliClient(ep).get(key);
  say(`4. check the same object read with Aliyun's ali-oss SDK: ${ali.content.equals(data) ? 'identical' : 'DIFFERENT'}, ` +
      `x-oss-hash-crc64ecma ${ali.res.headers['x-oss-hash-crc64ecma']}`);
  if (!ali.content.equals(data)) throw new Error('ali-oss read back different bytes');
  say(`5. rm    ${uri} with ossio`);
  process.stdout.write(indent(ossio('rm', [uri]).err));
  say(`done. ${execFileSync(path.join(bin, 'version'), { encoding: 'utf8' }).split('\n')[0]}; ` +
      'split reading of this file as Flink does arrives with the splits work.');
}

const indent = s => s.toString().split('\n').filter(Boolean).map(l => `   ${l}\n`).join('');

main().catch(e => {
  process.stderr.write(`demo failed: ${e.message}\n`);
  process.exit(1);
});
