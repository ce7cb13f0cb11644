// The control port: a tiny JSON API, separate from every data port, to arm
// and inspect faults and read request statistics.
//   POST   /faults   {kind, count, match, after, ms, offset, status, code, message} → fault
//   GET    /faults   → [{id, kind, remaining, fired, match}]
//   DELETE /faults[?path=P] → removes all faults (or those matching path P exactly), returns them
//   GET    /stats    → {requests, faultsFired, byMethod, byStatus, byScheme, byCode}
//   DELETE /stats    → reset the counters
//   GET    /health   → {ok: true}
'use strict';

const http = require('http');
const { newStats } = require('./front');

function controlServer(front, faults) {
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
            return send(200, faults.clear(m ? decodeURIComponent(m[1]) : undefined));
          }
          case 'GET /stats': return send(200, front.stats);
          case 'DELETE /stats': front.stats = newStats(); return send(200, front.stats);
          case 'GET /health': return send(200, { ok: true });
          default: return send(404, { error: `no route ${route}` });
        }
      } catch (e) {
        return send(400, { error: e.message });
      }
    });
  });
}

module.exports = { controlServer };
