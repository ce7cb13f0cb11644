// A minimal authoritative DNS responder (UDP, node:dgram) for the resolver
// tests: fixed answers for *.oss.localhost and a few *.ossio.test names.
'use strict';

const dgram = require('dgram');

const T_A = 1;
const T_AAAA = 28;
const RCODE_NXDOMAIN = 3;

const LOOPBACK6 = Buffer.from('00000000000000000000000000000001', 'hex');

/** Records for |name| (lower case, no trailing dot): [{type, ttl, data}],
 *  [] for "exists, no data of any type", 'slow' for never answering, or null
 *  for NXDOMAIN. */
function lookup(name) {
  const a = (ip, ttl = 60) => ({ type: T_A, ttl, data: Buffer.from(ip.split('.').map(Number)) });
  const aaaa = (ttl = 60) => ({ type: T_AAAA, ttl, data: LOOPBACK6 });
  if (name === 'oss.localhost' || name.endsWith('.oss.localhost')) return [a('127.0.0.1')];
  switch (name) {
    case 'ttl1.ossio.test': return [a('127.0.0.1', 1)];
    // 127.0.0.2 first: nothing listens there, so clients must fall back.
    case 'multi.ossio.test': return [a('127.0.0.2'), a('127.0.0.1')];
    case 'v6.ossio.test': return [aaaa()];
    case 'dual.ossio.test': return [a('127.0.0.1'), aaaa()];
    case 'slow.ossio.test': return 'slow';
    // Several front ends (nginx's spread listeners, proxies.js): .2 and .3
    // live, .4 dead (nothing listens), .5 the test's own stalled listener.
    case 'spread.ossio.test': return ['127.0.0.2', '127.0.0.3', '127.0.0.4', '127.0.0.5'].map(ip => a(ip));
    // Two live front ends only.
    case 'pair.ossio.test': return [a('127.0.0.2'), a('127.0.0.3')];
    default: return null;
  }
}

/** Parses one query; null if malformed (the server then stays silent). */
function parseQuery(msg) {
  if (msg.length < 12) return null;
  const flags = msg.readUInt16BE(2);
  if (flags & 0x8000) return null; // a response, not a query
  if (((flags >> 11) & 0xf) !== 0) return null; // only QUERY
  if (msg.readUInt16BE(4) !== 1) return null; // exactly one question
  let off = 12;
  const labels = [];
  for (;;) {
    if (off >= msg.length) return null;
    const len = msg[off++];
    if (len === 0) break;
    if (len > 63 || off + len > msg.length) return null; // no compression in questions
    labels.push(msg.toString('latin1', off, off + len));
    off += len;
  }
  if (off + 4 > msg.length) return null;
  return {
    id: msg.readUInt16BE(0), rd: flags & 0x0100, name: labels.join('.').toLowerCase(),
    qtype: msg.readUInt16BE(off), question: msg.subarray(12, off + 4),
  };
}

/** The answer to |msg| as a Buffer, or null for no answer at all. */
function respond(msg) {
  const q = parseQuery(msg);
  if (!q) return null;
  const recs = lookup(q.name);
  if (recs === 'slow') return null;
  const answers = recs ? recs.filter(r => r.type === q.qtype) : [];
  const hdr = Buffer.alloc(12);
  hdr.writeUInt16BE(q.id, 0);
  hdr.writeUInt16BE(0x8000 | 0x0400 | q.rd | (recs ? 0 : RCODE_NXDOMAIN), 2); // QR AA RD rcode
  hdr.writeUInt16BE(1, 4);
  hdr.writeUInt16BE(answers.length, 6);
  const rrs = answers.map(r => {
    const rr = Buffer.alloc(12);
    rr.writeUInt16BE(0xc00c, 0); // pointer to the question's name
    rr.writeUInt16BE(r.type, 2);
    rr.writeUInt16BE(1, 4); // IN
    rr.writeUInt32BE(r.ttl, 6);
    rr.writeUInt16BE(r.data.length, 10);
    return Buffer.concat([rr, r.data]);
  });
  return Buffer.concat([hdr, q.question, ...rrs]);
}

/** A started UDP server on 127.0.0.1:|port| (0: a free one). Resolves to the
 *  socket (close() stops it) with .port set. */
function startDnsServer({ port = 0, log = () => {} } = {}) {
  const sock = dgram.createSocket('udp4');
  sock.on('message', (msg, rinfo) => {
    let out = null;
    try { out = respond(msg); } catch (e) { log(`dns: ${e.message}`); }
    if (out) sock.send(out, rinfo.port, rinfo.address);
  });
  return new Promise((res, rej) => {
    sock.once('error', rej);
    sock.bind(port, '127.0.0.1', () => {
      sock.removeListener('error', rej);
      sock.on('error', e => log(`dns: ${e.message}`));
      sock.port = sock.address().port;
      res(sock);
    });
  });
}

module.exports = { startDnsServer, respond, lookup };
