#!/usr/bin/env node
// ./dev demo: the seed job, as a Flink user runs it, with ossio doing the
// I/O. The local endpoint (s3rver behind the OSS front, nghttpx for TLS +
// HTTP/2) is configured through a generated flink-conf.yaml with
// fs.oss.endpoint, fs.oss.accessKeyId and fs.oss.accessKeySecret; ossio
// (examples/flink_text) uploads call_center.dat, reads it as 4 parallel
// splits (readTextFile), writes the records back (writeAsText) and reads
// that again; Aliyun's own ali-oss SDK then reads the output to show the
// two agree.
//   node tests/endpoint/demo.js <endpoint state dir> <file>
'use strict';

const { execFileSync, spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');
const { aliClient } = require('./test/helpers');

async function main() {
  const [state, file] = process.argv.slice(2);
  const ep = JSON.parse(fs.readFileSync(path.join(state, 'endpoint.json'), 'utf8'));
  const say = s => process.stdout.write(`${s}\n`);
  const bin = path.join(process.env.OSSIO_BIN_DIR || '', 'examples');
  const port = ep.ports.h2_tls;
  const key = '50/call_center/data-m-00049';
  const uri = `oss://${ep.bucket}/${key}`;

  // The configuration as the seed writes it; the CA and the pinned name are
  // what a loopback endpoint needs on top. The file holds a secret: 0600.
  const conf = path.join(state, 'flink-conf.yaml');
  fs.writeFileSync(conf, [
    `fs.oss.endpoint: https://${ep.endpoint_host}:${port}`,
    `fs.oss.accessKeyId: ${ep.credentials.access_key_id}`,
    `fs.oss.accessKeySecret: ${ep.credentials.access_key_secret}`,
    `fs.oss.connection.ca.file: ${ep.ca_file}`,
    `fs.oss.connection.resolve: ${ep.bucket}.${ep.endpoint_host}:${port}:127.0.0.1`,
    '',
  ].join('\n'), { mode: 0o600 });

  say(`endpoint: OSS front on s3rver behind nghttpx (TLS + HTTP/2) at ${ep.endpoint_host}:${port}, ` +
      `bucket ${ep.bucket} (virtual-hosted: ${ep.bucket}.${ep.endpoint_host})`);
  say(`config:   ${conf} (fs.oss.endpoint, fs.oss.accessKeyId, fs.oss.accessKeySecret, CA file, pinned name)`);
  const env = { ...process.env };
  for (const k of ['OSS_ACCESS_KEY_ID', 'OSS_ACCESS_KEY_SECRET', 'OSS_ENDPOINT', 'OSS_SESSION_TOKEN']) delete env[k];
  const r = spawnSync(path.join(bin, 'flink_text'), ['--config', conf, '-p', '4', '--upload', file, uri],
    { env, encoding: 'utf8' });
  process.stdout.write(r.stdout);
  if (r.status !== 0) throw new Error(`flink_text failed: ${r.stderr}`);

  // The output read by Aliyun's SDK: the same records as the input file.
  const out = await aliClient(ep).get(`${key}.1`);
  const lines = b => b.toString('utf8').split('\n').filter(Boolean).sort();
  const same = JSON.stringify(lines(out.content)) === JSON.stringify(lines(fs.readFileSync(file)));
  say(`check: ${key}.1 read with Aliyun's ali-oss SDK holds the input's ${lines(out.content).length} records: ` +
      `${same ? 'identical' : 'DIFFERENT'} (x-oss-hash-crc64ecma ${out.res.headers['x-oss-hash-crc64ecma']})`);
  if (!same) throw new Error('ali-oss read back different records');
  say(`done. ${execFileSync(path.join(bin, 'version'), { encoding: 'utf8' }).split('\n')[0]}`);
}

main().catch(e => {
  process.stderr.write(`demo failed: ${e.message}\n`);
  process.exit(1);
});
