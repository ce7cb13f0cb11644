// The OSS front: an HTTP/1.1 handler that makes s3rver behave like Aliyun OSS.
// It resolves virtual-hosted and path-style addressing, verifies every
// signature (lib/auth.js), serves the multipart calls s3rver lacks, rewrites
// errors into OSS's XML, adds x-oss-request-id and x-oss-hash-crc64ecma, and
// applies the faults armed over the control port.
'use strict';

const crypto = require('crypto');
const http = require('http');
const http2 = require('http2');
const net = require('net');
const { verify, AuthError, isAuthQueryParam, V1_SUBRESOURCES } = require('./auth');
const { listObjects } = require('./listing');
const { parseQuery, splitTarget, encodeKeyPath, pairsToQueryString } = require('./query');
const { Multipart, OssError, xmlEscape } = require('./multipart');
const { fileCrc64 } = require('./crc');
const { S3Checksums } = require('./checksum');
const { GARBAGE_BODY } = require('./faults');
const { toStore, STORE_KEY_QUERY, decodeStoreKeysInXml, encodeStoreKeysInXml } = require('./storekey');

const MAX_BUFFERED_BODY = 8 << 20;

const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'expect'];

// OSS answers every error with an EC (error-centre) code; these are opaque to
// clients, so the local endpoint uses stable ones in OSS's format.
const EC = {
  SignatureDoesNotMatch: '0002-00000040', InvalidAccessKeyId: '0002-00000902',
  InvalidSecurityToken: '0002-00000904', RequestTimeTooSkewed: '0002-00000504',
  AccessDenied: '0003-00000001', NoSuchBucket: '0015-00000101', NoSuchKey: '0026-00000001',
  NoSuchUpload: '0042-00000002', InvalidPart: '0042-00000003', InvalidPartOrder: '0042-00000004',
  EntityTooSmall: '0042-00000005', FileAlreadyExists: '0016-00000708', SlowDown: '0003-00001001',
  InternalError: '0001-00000001', InvalidArgument: '0017-00000001', PreconditionFailed: '0026-00000020',
};

class Front {
  /**
   * opts: {s3Port, storeDir, accounts (Map ak → {secret, token}), endpointHosts
   * (host names whose sub-domains are buckets), faults, log (line → void)}.
   */
  constructor(opts) {
    this.opts = opts;
    this.multipart = new Multipart(opts.storeDir);
    this.sums = new S3Checksums();
    this.stats = newStats();
  }

  handler() {
    return (req, res) => {
      this.handle(req, res).catch(err => {
        // A client that went away mid-request takes the store request with
        // it ("socket hang up"): nobody to answer, nothing went wrong here.
        const gone = req.aborted || res.destroyed || (res.socket != null && res.socket.destroyed);
        if (gone) return void res.destroy();
        this.opts.log(`internal error: ${err && err.stack}`);
        if (!res.headersSent) this.sendError(res, req, { status: 500, code: 'InternalError', message: 'We encountered an internal error. Please try again.' });
        else res.destroy();
      });
    };
  }

  async handle(req, res) {
    if (!req.headers.host && req.headers[':authority']) req.headers.host = req.headers[':authority'];
    const ctx = this.parse(req);
    res.setHeader('x-oss-request-id', ctx.requestId);
    res.setHeader('server', 'AliyunOSS');
    this.stats.requests++;
    count(this.stats.byMethod, req.method);
    res.on('finish', () => {
      count(this.stats.byStatus, String(res.statusCode));
      this.opts.log(`${ctx.requestId} ${req.method} ${ctx.path}${ctx.rawQuery ? '?' + redactQuery(ctx.query) : ''} → ${res.statusCode} ${ctx.scheme || '-'} ${ctx.errorCode || ''}`);
    });
    if (ctx.bad) return this.sendError(res, req, ctx.bad, ctx);

    const fault = this.opts.faults.take(ctx);
    if (fault) {
      this.stats.faultsFired++;
      ctx.fault = fault;
      if (fault.status) return this.sendError(res, req, fault, ctx);
      if (fault.kind === 'error200') {
        return this.sendError(res, req, { status: 200, code: 'InternalError',
          message: 'We encountered an internal error. Please try again.' }, ctx);
      }
      if (fault.kind === 'reset' && fault.after === 0) return void cut(res, 'reset');
      if (fault.kind === 'drop' && fault.after === 0) return void this.drop(req);
      if (fault.kind === 'drop' && !['GET', 'HEAD'].includes(req.method)) {
        let got = 0;
        req.on('data', chunk => { got += chunk.length; if (got >= fault.after) this.drop(req); });
      }
      if (fault.kind === 'bigerror') return void this.sendBigError(res, req, fault, ctx);
      if (fault.kind === 'noanswer') {
        await readBody(req);
        await sleep(fault.ms);
        return void this.sendEmpty(res, 200);
      }
      if (fault.kind === 'stall' && fault.after === 0) await sleep(fault.ms);
      if (fault.kind === 'goaway') {
        // HTTP/2 (h2_tls_raw): GOAWAY naming this stream as the last one, so
        // it completes and every later stream on the connection is refused.
        // HTTP/1.1: "Connection: close" on this response.
        if (req.stream) req.stream.session.goaway(http2.constants.NGHTTP2_NO_ERROR, req.stream.id);
        else res.setHeader('connection', 'close');
      }
    }

    try {
      const who = await verify({ method: req.method, headers: req.headers, bucket: ctx.bucket, key: ctx.key, query: ctx.query, pathStyle: ctx.pathStyle, bucketSlash: ctx.bucketSlash }, this.opts.accounts);
      ctx.scheme = who.scheme;
      count(this.stats.byScheme, who.scheme);
    } catch (e) {
      if (!(e instanceof AuthError)) throw e;
      if (e.detail) this.opts.log(`${ctx.requestId} signature mismatch; canonical request:\n${e.detail}`);
      return this.sendError(res, req, e, ctx);
    }

    try {
      await this.route(req, res, ctx);
    } catch (e) {
      if (!(e instanceof OssError)) throw e;
      this.sendError(res, req, e, ctx);
    }
  }

  /** Splits the request into bucket, key and query; path-style or virtual-hosted. */
  parse(req) {
    const ctx = { requestId: crypto.randomBytes(12).toString('hex').toUpperCase(), method: req.method, headers: req.headers };
    const { rawPath, rawQuery } = splitTarget(req.url);
    ctx.rawQuery = rawQuery;
    try {
      ctx.query = parseQuery(rawQuery);
      const host = hostName(req.headers.host || req.headers[':authority'] || '');
      // Longest endpoint host first: 'b.oss.localhost' is bucket b on oss.localhost.
      const bucketHost = this.opts.endpointHosts.includes(host) ? null
        : [...this.opts.endpointHosts].sort((a, b) => b.length - a.length).find(h => host.endsWith(`.${h}`));
      if (bucketHost && !net.isIP(host)) {
        ctx.pathStyle = false;
        ctx.bucket = host.slice(0, host.length - bucketHost.length - 1);
        ctx.key = decodeURIComponent(rawPath.replace(/^\//, ''));
      } else {
        ctx.pathStyle = true;
        const m = /^\/([^/]*)\/?(.*)$/s.exec(rawPath);
        ctx.bucket = m ? decodeURIComponent(m[1]) : '';
        ctx.key = m ? decodeURIComponent(m[2]) : '';
        // "/bucket" and "/bucket/" are signed as sent (rclone sends the first).
        ctx.bucketSlash = /^\/[^/]*\//.test(rawPath);
      }
    } catch (e) {
      ctx.query = [];
      ctx.bad = { status: 400, code: 'InvalidURI', message: 'Could not parse the specified URI.' };
    }
    ctx.path = `/${ctx.bucket || ''}${ctx.key ? '/' + ctx.key : ''}`;
    ctx.q = Object.fromEntries((ctx.query || []).map(([k, v]) => [k, v === null ? '' : v]));
    if (!ctx.bad && ctx.key && (ctx.key.startsWith('/') || ctx.key.startsWith('\\'))) {
      ctx.bad = { status: 400, code: 'InvalidObjectName', message: 'The name of the object can not start with / or \\.' };
    }
    if (!ctx.bad && Buffer.byteLength(ctx.key || '') > 1023) {
      ctx.bad = { status: 400, code: 'InvalidObjectName', message: 'The length of object name must be less than 1024.' };
    }
    return ctx;
  }

  async route(req, res, ctx) {
    const { bucket, key, q, method } = { ...ctx, method: req.method };
    const has = k => Object.prototype.hasOwnProperty.call(q, k);
    const sha = req.headers['x-amz-content-sha256'] || '';
    if (sha.startsWith('STREAMING-')) {
      throw new OssError(501, 'NotImplemented', 'aws-chunked (streaming SigV4) uploads are not supported by this endpoint.');
    }
    if (bucket && key) {
      if (method === 'DELETE' && has('uploadId')) {
        await this.multipart.abort(bucket, key, q.uploadId);
        return this.sendEmpty(res, 204);
      }
      if (method === 'GET' && has('uploadId')) {
        return this.sendXml(res, 200, await this.multipart.listParts(bucket, key, q.uploadId, q, ctx.fault));
      }
      if (method === 'PUT' && has('uploadId')) {
        Multipart.checkPartNumber(q.partNumber);
        await this.multipart.requireUpload(bucket, key, q.uploadId);
        const sum = await this.sums.put(req, ctx);
        ctx.sumAnswer = sum && sum.answer;
        return this.proxy(req, res, ctx, { body: sum && sum.body, crc: () => this.multipart.partPath(bucket, q.uploadId, q.partNumber) });
      }
      if (method === 'POST' && has('uploadId')) {
        const body = await readBody(req);
        await this.multipart.checkComplete(bucket, key, q.uploadId, body.toString('utf8'));
        await this.checkForbidOverwrite(req, ctx);
        const sum = await this.sums.complete(req, ctx, body.toString('utf8'), n => this.multipart.partPath(bucket, q.uploadId, n));
        ctx.sumAnswer = sum && sum.answer;
        ctx.sumStored = () => this.sums.stored(this.multipart.objectPath(bucket, key), sum && sum.algo, sum && sum.composite);
        if (ctx.fault && ctx.fault.kind === 'complete-garbage' && !ctx.fault.forward) {
          return void res.writeHead(200, { 'content-type': 'application/xml' }).end(GARBAGE_BODY);
        }
        return this.proxy(req, res, ctx, { body, crc: () => this.multipart.objectPath(bucket, key) });
      }
      if (method === 'PUT' || method === 'GET' || method === 'HEAD') {
        const file = this.multipart.objectPath(bucket, key);
        let sum = null;
        if (method === 'PUT') await this.checkForbidOverwrite(req, ctx);
        else await this.checkIfMatch(req, ctx);
        if (method === 'GET' && req.headers.range) await this.ossRange(req, ctx);
        if (method === 'PUT') {
          sum = await this.sums.put(req, ctx);
          ctx.sumAnswer = sum && sum.answer;
          ctx.sumStored = () => this.sums.stored(file, sum && sum.algo);
        } else {
          ctx.sumAnswer = await this.sums.read(req, ctx, file);
        }
        return this.proxy(req, res, ctx, { body: sum && sum.body, crc: () => file });
      }
    } else if (bucket && method === 'GET' && has('uploads')) {
      await this.requireBucket(bucket);
      return this.sendXml(res, 200, await this.multipart.listUploads(bucket, q, ctx.fault));
    } else if (bucket && method === 'GET' &&
               !Object.keys(q).some(k => V1_SUBRESOURCES.has(k) && k !== 'continuation-token')) {
      await this.requireBucket(bucket);
      const store = this.multipart.store;
      const xml = await listObjects(this.opts.storeDir, bucket, q, async k => {
        const m = await store.getMetadata(bucket, toStore(k)).catch(() => null);
        return m && { size: m['content-length'], etag: m.etag, lastModified: new Date(m['last-modified']).toISOString() };
      }, ctx.fault);
      return this.sendXml(res, 200, xml, ctx.fault, req);
    } else if (bucket && method === 'POST' && has('delete')) {
      const body = Buffer.from(encodeStoreKeysInXml((await readBody(req)).toString('utf8')));
      return this.proxy(req, res, ctx, { body });
    }
    return this.proxy(req, res, ctx, {});
  }

  async requireBucket(bucket) {
    const st = await this.upstream('HEAD', `/${encodeURIComponent(bucket)}`, {});
    if (st.statusCode === 404) throw new OssError(404, 'NoSuchBucket', 'The specified bucket does not exist.');
  }

  /** OSS answers a range that starts past the end (e.g. any range of an empty
   * object) with the whole object and 200, where S3 says 416: do as OSS does. */
  async ossRange(req, ctx) {
    const m = /^bytes=(\d+)-/.exec(req.headers.range);
    if (!m) return;
    const meta = await this.multipart.store.getMetadata(ctx.bucket, toStore(ctx.key)).catch(() => null);
    if (meta && Number(m[1]) >= Number(meta['content-length'])) delete req.headers.range;
  }

  /** OSS's x-oss-forbid-overwrite: true → 409 FileAlreadyExists if the key exists. */
  async checkForbidOverwrite(req, ctx) {
    if (String(req.headers['x-oss-forbid-overwrite']).toLowerCase() !== 'true') return;
    const st = await this.upstream('HEAD', `/${encodeURIComponent(ctx.bucket)}/${encodeKeyPath(toStore(ctx.key))}`, {});
    if (st.statusCode === 200) {
      throw new OssError(409, 'FileAlreadyExists', 'The object you specified already exists and can not be overwritten.');
    }
  }

  /**
   * If-Match on GET/HEAD, as OSS answers it: the object's ETag must be one of
   * the listed ones (or "*"), else 412 PreconditionFailed. s3rver ignores
   * If-Match, so the front checks it (HEAD upstream, then the GET).
   */
  async checkIfMatch(req, ctx) {
    const want = req.headers['if-match'];
    if (want === undefined) return;
    const st = await this.upstream('HEAD', `/${encodeURIComponent(ctx.bucket)}/${encodeKeyPath(toStore(ctx.key))}`, {});
    if (st.statusCode !== 200) return; // the GET itself answers 404
    const tags = String(want).split(',').map(t => t.trim().replace(/^W\//, ''));
    const etag = String(st.headers.etag || '');
    if (!tags.includes('*') && !tags.includes(etag)) {
      throw new OssError(412, 'PreconditionFailed', 'At least one of the pre-conditions you specified did not hold.');
    }
  }

  upstream(method, path, headers) {
    return new Promise((resolve, reject) => {
      const r = http.request({ host: '127.0.0.1', port: this.opts.s3Port, method, path, headers: { ...headers, host: `127.0.0.1:${this.opts.s3Port}` } }, resp => {
        resp.resume();
        resp.on('end', () => resolve(resp));
      });
      r.on('error', reject);
      r.end();
    });
  }

  /** Forwards the request to s3rver and streams the answer back, OSS-style. */
  proxy(req, res, ctx, { body, crc }) {
    const headers = {};
    for (const [k, v] of Object.entries(req.headers)) {
      if (HOP_BY_HOP.includes(k) || k === 'authorization' || k === 'host' || k.startsWith(':')) continue;
      if (k.startsWith('x-oss-meta-')) headers[`x-amz-meta-${k.slice(11)}`] = v;
      else if (k === 'x-oss-copy-source' || k === 'x-amz-copy-source') headers['x-amz-copy-source'] = copySource(v);
      else if (k.startsWith('x-oss-')) continue;
      else headers[k] = v;
    }
    if (body) {
      headers['content-length'] = String(body.length);
      if (headers['content-md5']) headers['content-md5'] = crypto.createHash('md5').update(body).digest('base64');
    }
    headers.host = `127.0.0.1:${this.opts.s3Port}`;
    const query = ctx.query.filter(([k]) => !isAuthQueryParam(k))
      .map(([k, v]) => [k, v !== null && STORE_KEY_QUERY.has(k) ? toStore(v) : v]);
    let path = ctx.bucket ? `/${encodeURIComponent(ctx.bucket)}` : '/';
    if (ctx.key) path += `/${encodeKeyPath(toStore(ctx.key))}`;
    if (query.length) path += `?${pairsToQueryString(query)}`;

    return new Promise((resolve, reject) => {
      const up = http.request({ host: '127.0.0.1', port: this.opts.s3Port, method: req.method, path, headers }, upRes => {
        this.relay(req, res, ctx, upRes, crc).then(resolve, reject);
      });
      up.on('error', reject);
      req.on('aborted', () => up.destroy());
      if (body) up.end(body);
      else req.pipe(up);
    });
  }

  async relay(req, res, ctx, upRes, crc) {
    const status = upRes.statusCode;
    if (status >= 400) {
      const raw = req.method === 'HEAD' ? '' : (await readBody(upRes)).toString('utf8');
      const code = tag(raw, 'Code') || (status === 404 ? (ctx.key ? 'NoSuchKey' : 'NoSuchBucket') : httpCode(status));
      const message = tag(raw, 'Message') || http.STATUS_CODES[status] || 'Error';
      return this.sendError(res, req, { status, code, message }, ctx);
    }
    for (const [k, v] of Object.entries(upRes.headers)) {
      if (HOP_BY_HOP.includes(k) || k === 'x-amz-request-id' || k === 'x-amz-id-2' || k === 'server') continue;
      if (k.startsWith('x-amz-meta-')) res.setHeader(`x-oss-meta-${k.slice(11)}`, v);
      else res.setHeader(k, v);
    }
    if (status < 300 && ctx.sumAnswer) for (const [k, v] of Object.entries(ctx.sumAnswer)) res.setHeader(k, v);
    if (status < 300 && ctx.sumStored) ctx.sumStored();
    if (upRes.headers.etag) res.setHeader('x-oss-object-type', /-\d+"?$/.test(upRes.headers.etag) ? 'Multipart' : 'Normal');
    // A fault with crc64: false answers without x-oss-hash-crc64ecma, as
    // AWS S3 and most S3-compatible servers do (the s3 dialect's own checks).
    const wantsCrc = crc && (status === 200 || status === 206) && !(req.method === 'PUT' && ctx.headers['x-amz-copy-source']) &&
      !(ctx.fault && ctx.fault.crc64 === false);
    if (wantsCrc) {
      const file = crc();
      const value = file && (await fileCrc64(file).catch(() => null));
      if (value) res.setHeader('x-oss-hash-crc64ecma', value);
    }
    const objectData = ctx.key && (req.method === 'GET' || req.method === 'HEAD') && !ctx.q.uploadId;
    if (!objectData && /xml/.test(upRes.headers['content-type'] || '')) {
      const xml = completeFault(ctx, decodeStoreKeysInXml((await readBody(upRes)).toString('utf8')));
      res.setHeader('content-length', Buffer.byteLength(xml));
      res.writeHead(status);
      return void this.endBody(res, Buffer.from(xml), ctx.fault, req);
    }
    res.writeHead(status);
    await this.pipeBody(upRes, res, ctx.fault, Number(upRes.headers['content-length']), req);
  }

  /**
   * Closes the TCP connection |req| came on, under TLS and HTTP/2 too: no
   * close_notify alert, no GOAWAY, no RST_STREAM (a server or a balancer that
   * went away). Requests that came through nghttpx lose only the backend hop.
   */
  drop(req) {
    const sock = req.stream ? req.stream.session.socket : req.socket;
    const raw = sock && this.opts.rawSockets && this.opts.rawSockets.get(`${sock.remoteAddress}:${sock.remotePort}`);
    if (raw) raw.destroy();
    else if (req.stream) req.stream.session.destroy();
    else req.socket.destroy();
  }

  /** Ends a response with |body|, applying a body fault (drop, drip, reset, truncate) to it. */
  endBody(res, body, fault, req) {
    if (fault && ['drop', 'drip', 'reset', 'truncate'].includes(fault.kind) && fault.after < body.length) {
      return void this.pipeBody(require('stream').Readable.from([body]), res, fault, body.length, req);
    }
    res.end(body);
  }

  /** Writes |chunk| at |fault.rate| bytes/s (a few bytes a second: a dripping
   * server), then calls next; stops when the client goes away. */
  drip(res, chunk, fault, next) {
    const step = Math.max(1, Math.ceil(fault.rate / 4));
    let off = 0;
    const timer = setInterval(() => {
      if (res.destroyed || res.writableEnded || (res.stream && res.stream.destroyed)) {
        clearInterval(timer);
        return;
      }
      res.write(chunk.subarray(off, off + step));
      off += step;
      if (off >= chunk.length) {
        clearInterval(timer);
        next();
      }
    }, 250);
    res.on('close', () => clearInterval(timer));
  }

  /** Streams a response body, applying a body fault (reset/stall/truncate/flip). */
  pipeBody(src, res, fault, length, req) {
    return new Promise(resolve => {
      let sent = 0;
      let done = false;
      const finish = () => { if (!done) { done = true; resolve(); } };
      const flipAt = fault && fault.kind === 'flip' ? (fault.offset ?? Math.floor((length || 1) / 2)) : -1;
      src.on('data', chunk => {
        if (done) return;
        if (fault && (fault.kind === 'reset' || fault.kind === 'truncate') && sent + chunk.length >= fault.after) {
          const head = chunk.subarray(0, Math.max(0, fault.after - sent));
          done = true;
          src.destroy();
          // A TCP RST makes the peer's kernel drop data it has not read yet; give
          // the head a moment to be read so "K bytes, then reset" is what arrives.
          const stop = () => setTimeout(() => cut(res, fault.kind), fault.kind === 'reset' ? 50 : 0);
          if (head.length) res.write(head, stop);
          else stop();
          return resolve();
        }
        if (fault && fault.kind === 'drop' && sent + chunk.length >= fault.after) {
          const head = chunk.subarray(0, Math.max(0, fault.after - sent));
          done = true;
          src.destroy();
          // Let the head reach the socket before the connection goes.
          const stop = () => setTimeout(() => this.drop(req), 50);
          if (head.length) res.write(head, stop);
          else stop();
          return resolve();
        }
        if (fault && fault.kind === 'drip' && sent + chunk.length > fault.after) {
          const cut0 = Math.max(0, fault.after - sent);
          if (cut0 > 0) res.write(chunk.subarray(0, cut0));
          sent += chunk.length;
          src.pause();
          return void this.drip(res, chunk.subarray(cut0), fault, () => src.resume());
        }
        if (flipAt >= sent && flipAt < sent + chunk.length) {
          chunk = Buffer.from(chunk);
          chunk[flipAt - sent] ^= 0x01;
        }
        if (fault && fault.kind === 'stall' && fault.after > 0 && sent < fault.after && sent + chunk.length >= fault.after) {
          const head = chunk.subarray(0, fault.after - sent);
          const tail = chunk.subarray(fault.after - sent);
          sent += chunk.length;
          src.pause();
          res.write(head);
          return void setTimeout(() => { res.write(tail); src.resume(); }, fault.ms);
        }
        sent += chunk.length;
        if (!res.write(chunk)) {
          src.pause();
          res.once('drain', () => src.resume());
        }
      });
      src.on('end', () => { if (!done) { res.end(); finish(); } });
      src.on('error', () => { res.destroy(); finish(); });
      res.on('close', () => { src.destroy(); finish(); });
    });
  }

  sendXml(res, status, xml, fault, req) {
    res.writeHead(status, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(xml) });
    this.endBody(res, Buffer.from(xml), fault, req);
  }

  sendEmpty(res, status) {
    res.writeHead(status, { 'content-length': 0 });
    res.end();
  }

  /** A 500 whose body is |fault.bodyBytes| long: written with backpressure
   * until the client has it all or goes away. */
  sendBigError(res, req, fault, ctx) {
    const head = fault.xml
      ? `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>InternalError</Code><Message>A very long error.</Message><RequestId>${ctx.requestId}</RequestId><Padding>`
      : '<html><body>502 Bad Gateway';
    const tail = fault.xml ? '</Padding></Error>\n' : '</body></html>\n';
    const total = Math.max(fault.bodyBytes, head.length + tail.length);
    res.writeHead(500, { 'content-type': fault.xml ? 'application/xml' : 'text/html', 'content-length': total,
      'x-oss-ec': EC.InternalError });
    if (!req.complete) req.resume();
    const pad = Buffer.alloc(64 << 10, 'x');
    let left = total - head.length - tail.length;
    res.write(head);
    const more = () => {
      if (res.destroyed) return;
      while (left > 0) {
        const n = Math.min(left, pad.length);
        left -= n;
        if (!res.write(pad.subarray(0, n))) return void res.once('drain', more);
      }
      res.end(tail);
    };
    res.on('close', () => { left = 0; });
    more();
  }

  /** OSS error: XML body, or for HEAD the same XML base64-encoded in x-oss-err. */
  sendError(res, req, err, ctx = {}) {
    const requestId = ctx.requestId || res.getHeader('x-oss-request-id') || crypto.randomBytes(12).toString('hex').toUpperCase();
    const ec = EC[err.code] || '0000-00000000';
    ctx.errorCode = err.code;
    count(this.stats.byCode, err.code);
    const hostId = ctx.bucket && !ctx.pathStyle ? hostName(req.headers.host || '') : hostName(req.headers.host || 'localhost');
    const xml = '<?xml version="1.0" encoding="UTF-8"?>\n<Error>\n' +
      `  <Code>${xmlEscape(err.code)}</Code>\n  <Message>${xmlEscape(err.message)}</Message>\n` +
      `  <RequestId>${requestId}</RequestId>\n  <HostId>${xmlEscape(hostId)}</HostId>\n  <EC>${ec}</EC>\n</Error>\n`;
    res.setHeader('x-oss-request-id', requestId);
    res.setHeader('x-oss-ec', ec);
    if (req.method === 'HEAD') {
      res.writeHead(err.status, { 'x-oss-err': Buffer.from(xml).toString('base64'), 'content-length': 0 });
      return res.end();
    }
    res.writeHead(err.status, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(xml) });
    // A request body we did not read must not be taken for the next request.
    if (!req.complete) req.resume();
    res.end(xml);
  }
}

/**
 * Ends a response early. Over HTTP/1.1: 'reset' sends a TCP RST, 'truncate' a
 * FIN after what was written. Over HTTP/2 only the stream ends: RST_STREAM
 * INTERNAL_ERROR for 'reset', CANCEL for 'truncate'.
 */
function cut(res, kind) {
  if (res.stream) {
    return void res.stream.close(kind === 'reset' ? http2.constants.NGHTTP2_INTERNAL_ERROR : http2.constants.NGHTTP2_CANCEL);
  }
  if (kind === 'reset') res.socket.resetAndDestroy();
  else res.socket.end();
}

/** A CompleteMultipartUpload answer (the upload is completed) as a complete-* fault rewrites it. */
function completeFault(ctx, xml) {
  const kind = ctx.fault && ctx.method === 'POST' && ctx.q.uploadId !== undefined ? ctx.fault.kind : '';
  if (kind === 'complete-other-root') return xml.replace(/CompleteMultipartUploadResult\b/g, 'CompleteMultipartUploadResponse');
  if (kind === 'complete-garbage') return GARBAGE_BODY;
  return xml;
}

/** "/bucket/key[?versionId=..]" (URL-encoded) → the same with the key's stored name. */
function copySource(v) {
  const m = /^\/?([^/]+)\/([^?]*)(\?.*)?$/.exec(String(v));
  if (!m) return v;
  // s3rver reads the header with decodeURI (not decodeURIComponent): encode to match.
  return `/${m[1]}/${encodeURI(toStore(decodeURIComponent(m[2])))}${m[3] || ''}`;
}

function newStats() {
  return { requests: 0, faultsFired: 0, byMethod: {}, byStatus: {}, byScheme: {}, byCode: {} };
}

function count(obj, k) {
  obj[k] = (obj[k] || 0) + 1;
}

function hostName(hostHeader) {
  if (hostHeader.startsWith('[')) return hostHeader.slice(1, hostHeader.indexOf(']'));
  return hostHeader.replace(/:\d+$/, '').toLowerCase();
}

function tag(xml, name) {
  const m = new RegExp(`<${name}>([\\s\\S]*?)</${name}>`).exec(xml);
  return m ? m[1] : '';
}

function httpCode(status) {
  return (http.STATUS_CODES[status] || 'Error').replace(/\s+/g, '');
}

function readBody(stream) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let n = 0;
    stream.on('data', c => {
      n += c.length;
      if (n > MAX_BUFFERED_BODY) {
        stream.destroy();
        return reject(new OssError(400, 'EntityTooLarge', 'Your proposed upload exceeds the maximum allowed object size.'));
      }
      chunks.push(c);
    });
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}

/** The query for the log line, with credentials and signatures blanked. */
function redactQuery(pairs) {
  return pairs.map(([k, v]) => (isAuthQueryParam(k) && v !== null ? `${k}=***` : v === null ? k : `${k}=${v}`)).join('&');
}

const sleep = ms => new Promise(r => setTimeout(r, ms));

module.exports = { Front, newStats };
