// The control port: a tiny JSON API, separate from every data port, to arm
// and inspect faults and read request statistics.
//   POST   /faults   {kind, count, match, after, ms, offset, status, code, message} → fault
//   GET    /faults   → [{id, kind, remaining, fired, match}]
//   DELETE /faults[?path=P[&query=Q]] → removes all faults (or those whose match.path is P
//                              and match.query is Q, exactly), returns them
//   GET    /stats    → {requests, faultsFired, byMethod, byStatus, byScheme, byCode}
//   DELETE /stats    → reset the counters
//   DELETE /objects?prefix=P/ → removes every stored object under key prefix P/
//                              (test clean-up; P must end with '/'), returns {removed}
//   GET    /health   → {ok: true}
'use strict';

const fs = require('fs');
const http = require('http');
const path = require('path');
const { newStats } = require('./front');
const { toStore } = require('./storekey');

/** Removes the stored objects under |prefix| (a key prefix ending with '/'):
 * s3rver keeps them as files under storeDir/bucket/T(prefix). */
function removePrefix(storeDir, bucket, prefix) {
  if (!/^[^/.][^]*\/$/.test(prefix) || prefix.split('/').some(s => s === '..' || s === '.')) {
    throw new Error('prefix must be a relative key prefix ending with /');
  }
  const dir = path.join(storeDir, bucket, toStore(prefix.slice(0, -1)));
  if (!dir.startsWith(path.join(storeDir, bucket) + path.sep)) throw new Error('prefix outside the bucket');
  const removed = fs.existsSync(dir);
  fs.rmSync(dir, { recursive: true, force: true });
  return { removed };
}

function controlServer(front, faults, { storeDir, bucket } = {}) {
  return http.createServer((req, res) => {
    const send = (status, obj) => {
      const body = JSON.stringify(obj);
      res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    };
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', c => { raw += c; if (raw.length > 65536) req.destroy(); });
    req.on('end', () => {
      const route = `${req.method} ${req.url.split('?')[0]}`;
      try {
        switch (route) {
          case 'POST /faults': return send(201, faults.add(JSON.parse(raw || '{}')));
          case 'GET /faults': return send(200, faults.snapshot());
          case 'DELETE /faults': {
            const m = /[?&]path=([^&]*)/.exec(req.url);
            const q = /[?&]query=([^&]*)/.exec(req.url);
            return send(200, faults.clear(m ? decodeURIComponent(m[1]) : undefined, q ? decodeURIComponent(q[1]) : undefined));
          }
          case 'GET /stats': return send(200, front.stats);
          case 'DELETE /stats': front.stats = newStats(); return send(200, front.stats);
          case 'GET /health': return send(200, { ok: true });
          case 'DELETE /objects': {
            const m = /[?&]prefix=([^&]*)/.exec(req.url);
            if (!m || !storeDir) return send(400, { error: 'DELETE /objects needs ?prefix=P/' });
            return send(200, removePrefix(storeDir, bucket, decodeURIComponent(m[1])));
          }
          default: return send(404, { error: `no route ${route}` });
        }
      } catch (e) {
        return send(400, { error: e.message });
      }
    });
  });
}

module.exports = { controlServer };
