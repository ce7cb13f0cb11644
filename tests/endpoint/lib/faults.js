// Switchable faults for the local endpoint, armed over the control port and
// applied by the front server to the next N matching requests. Each fault
// counts how often it fired so a test can assert that it did.
'use strict';

// Error-status presets: status, Code, Message as OSS sends them.
const STATUS_PRESETS = {
  slowdown: [503, 'SlowDown', 'Please reduce your request rate.'],
  internal: [500, 'InternalError', 'We encountered an internal error. Please try again.'],
  skew: [403, 'RequestTimeTooSkewed', 'The difference between the request time and the current time is too large.'],
};

// error200: HTTP 200 whose body is an <Error> (InternalError), as OSS and S3
// may answer CompleteMultipartUpload and CopyObject once they began.
// drop: the TCP connection closes under the request (TLS: no close_notify;
// HTTP/2: no GOAWAY, no RST_STREAM): at once (after 0), after |after| request
// body bytes arrived (a request with a body), or after |after| response body
// bytes (GET data, XML answers such as listings).
// drip: after |after| body bytes at full speed, the rest at |rate| bytes/s.
// noanswer: the request body is read whole, then nothing is answered for |ms|.
// bigerror: 500 with a body of |bodyBytes| (an <Error> whose Code and Message
// come first, then padding; with xml false, plain text).
// Broken paging, on ListObjects (V1, V2), ListParts and ListMultipartUploads
// pages (see pageFault): list-no-token, list-repeat-token.
// CompleteMultipartUpload answered 200 (the object is completed) with a body
// ossio's first parser did not expect: complete-other-root (root element
// CompleteMultipartUploadResponse, ETag inside), complete-garbage (not XML;
// with forward: false the upload is not even completed).
const KINDS = new Set([...Object.keys(STATUS_PRESETS), 'status', 'reset', 'stall', 'truncate', 'flip', 'goaway',
  'error200', 'drop', 'drip', 'noanswer', 'bigerror',
  'list-no-token', 'list-repeat-token', 'complete-other-root', 'complete-garbage']);

// What complete-garbage answers: no XML parser can read it.
const GARBAGE_BODY = 'Done.\x00\x01 <<this is not XML & never was\n';

class Faults {
  constructor() {
    this.list = [];
    this.nextId = 1;
  }

  /**
   * Arms a fault. spec = {kind, count (default 1), match: {method, path, query},
   * after (body bytes, for reset/stall/truncate/drop/drip), ms (stall, noanswer),
   * rate (drip, bytes/s), bodyBytes (bigerror: error body size), offset (flip:
   * in a GET's answer, or in a SigV4 PUT's body that carries x-amz-checksum-*),
   * crc64 (false: the answer has no x-oss-hash-crc64ecma, as S3's),
   * status/code/message (kind "status")}.
   */
  add(spec) {
    if (!spec || !KINDS.has(spec.kind)) throw new Error(`unknown fault kind: ${spec && spec.kind}`);
    const count = spec.count === undefined ? 1 : Number(spec.count);
    if (!Number.isInteger(count) || count < 1) throw new Error('count must be a positive integer');
    const f = {
      id: this.nextId++, kind: spec.kind, remaining: count, fired: 0, match: spec.match || {},
      after: Number(spec.after || 0), ms: Number(spec.ms || 0),
      offset: spec.offset === undefined ? undefined : Number(spec.offset),
      rate: Number(spec.rate || 4), bodyBytes: Number(spec.bodyBytes || 0), xml: spec.xml !== false,
      forward: spec.forward !== false, crc64: spec.crc64 !== false,
    };
    if (STATUS_PRESETS[spec.kind]) [f.status, f.code, f.message] = STATUS_PRESETS[spec.kind];
    if (spec.kind === 'status') {
      f.status = Number(spec.status);
      f.code = String(spec.code || 'InternalError');
      f.message = String(spec.message || 'Injected fault.');
      if (!(f.status >= 400 && f.status <= 599)) throw new Error('status must be 400..599');
    }
    this.list.push(f);
    return f;
  }

  /** Takes (consumes one use of) the first armed fault matching the request, or null. */
  take(req) {
    for (const f of this.list) {
      if (f.remaining <= 0 || !matches(f.match, req)) continue;
      f.remaining--;
      f.fired++;
      return f;
    }
    return null;
  }

  snapshot() {
    return this.list.map(({ id, kind, remaining, fired, match }) => ({ id, kind, remaining, fired, match }));
  }

  /** Removes every fault, or only those armed for match.path === path (and,
   * if given, match.query === query): tests running in parallel clear only
   * their own. Returns what it removed. */
  clear(path, query) {
    const gone = this.list.filter(f => (path === undefined || f.match.path === path) &&
      (query === undefined || f.match.query === query));
    this.list = this.list.filter(f => !gone.includes(f));
    return gone.map(({ id, kind, remaining, fired, match }) => ({ id, kind, remaining, fired, match }));
  }
}

function matches(m, req) {
  if (m.method && m.method.toUpperCase() !== req.method) return false;
  if (m.path && !req.path.includes(m.path)) return false;
  if (m.query && !req.rawQuery.includes(m.query)) return false;
  if (m.range !== undefined && Boolean(req.headers.range) !== Boolean(m.range)) return false;
  if (m.ifMatch !== undefined && Boolean(req.headers['if-match']) !== Boolean(m.ifMatch)) return false;
  if (m.rangeStart !== undefined && !String(req.headers.range || '').startsWith(`bytes=${m.rangeStart}-`)) return false;
  return true;
}

/**
 * A listing page as a list-* fault makes it. page = {truncated, next, sent}:
 * whether the page is truncated, the marker(s) to go on from (null: none) and
 * the marker(s) the request carried (null: a first page). list-no-token: the
 * page says it is truncated and names no way forward. list-repeat-token: the
 * page says it is truncated and names the marker it was asked with, forever
 * (a first page, asked with none, is left as it is). Other faults: unchanged.
 */
function pageFault(fault, page) {
  if (fault && fault.kind === 'list-no-token') return { ...page, truncated: true, next: null };
  if (fault && fault.kind === 'list-repeat-token' && page.sent !== null) return { ...page, truncated: true, next: page.sent };
  return page;
}

module.exports = { Faults, STATUS_PRESETS, GARBAGE_BODY, pageFault };
