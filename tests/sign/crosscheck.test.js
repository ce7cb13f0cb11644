// Cross-check of ossio's signers against the vendors' own code: runs the
// sign_vectors program (randomized requests, each signed by ossio with all six
// schemes) and recomputes every canonical string and signature with ali-oss's
// lib/common/signUtils (OSS V1, V4) and @smithy/signature-v4 (AWS SigV4), fed
// the same decoded inputs as the local endpoint's tests/endpoint/lib/auth.js.
// Canonical strings and signatures must be equal byte for byte. Each vector is
// also run through the endpoint's own verify().
'use strict';

const test = require('node:test');
const assert = require('node:assert');
const fs = require('fs');
const path = require('path');
const { execFileSync } = require('child_process');
// The npm tools live with the endpoint (tests/endpoint/package.json).
const toolsRequire = require('module').createRequire(path.join(__dirname, '../endpoint/package.json'));
const signUtils = toolsRequire('ali-oss/lib/common/signUtils');
const { SignatureV4, getCanonicalHeaders } = toolsRequire('@smithy/signature-v4');
const { Hash } = toolsRequire('@smithy/hash-node');
const auth = require('../endpoint/lib/auth');
const { encodeKeyPath } = require('../endpoint/lib/query');

const BIN = process.env.OSSIO_SIGN_VECTORS;
const SEED = process.env.OSSIO_SIGN_SEED || '1';
const COUNT = process.env.OSSIO_SIGN_COUNT || '60';
const MIN_PER_SCHEME = 50;

function loadVectors() {
  assert.ok(BIN, 'OSSIO_SIGN_VECTORS must name the sign_vectors program');
  const text = execFileSync(BIN, [SEED, COUNT], { maxBuffer: 512 << 20 }).toString('utf8');
  return text.trim().split('\n').map(l => JSON.parse(l));
}

const vectors = loadVectors();

/** What Node's HTTP parser hands the endpoint: lower-case names, OWS trimmed. */
function nodeHeaders(v) {
  const h = {};
  for (const [k, val] of v.headers) h[k.toLowerCase()] = val.replace(/^[ \t]+|[ \t]+$/g, '');
  if (h.host === undefined) h.host = v.host;
  return h;
}

function parseQs(s) {
  const out = [];
  for (const part of s.split('&')) {
    const eq = part.indexOf('=');
    out.push([decodeURIComponent(part.slice(0, eq)), decodeURIComponent(part.slice(eq + 1))]);
  }
  return out;
}

function parseAuthParams(s) {
  const out = {};
  for (const part of s.split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) out[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  return out;
}

const isoBasic = secs => new Date(secs * 1000).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z');

function v1Resource(v) {
  return v.bucket ? `/${v.bucket}/${v.key || ''}` : '/';
}

function v1Headers(headers) {
  const out = {};
  for (const [k, val] of Object.entries(headers)) {
    if (k.startsWith('x-oss-') || k === 'content-type' || k === 'content-md5') out[k] = val;
  }
  return out;
}

function v1Params(pairs, skip) {
  const sub = {};
  for (const [k, val] of pairs) {
    if (skip.has(k) || !auth.V1_SUBRESOURCES.has(k)) continue;
    sub[k] = val === null ? '' : val;
  }
  return sub;
}

function v4Queries(pairs, skip) {
  const q = {};
  for (const [k, val] of pairs) {
    if (!skip.has(k)) q[k] = val === '' ? null : val;
  }
  return q;
}

function smithyQuery(pairs) {
  const q = {};
  for (const [k, val] of pairs) q[k] = val === null ? '' : val;
  return q;
}

function smithyBase(v, headers, queryPairs, signedHeaders) {
  let p = '/';
  if (v.path_style && v.bucket) p += v.key ? `${v.bucket}/` : v.bucket; // the path as sent
  if (v.key) p += encodeKeyPath(v.key);
  const [hostname, port] = headers.host.split(':');
  const h = {};
  for (const name of signedHeaders) if (headers[name] !== undefined) h[name] = headers[name];
  return { method: v.method, protocol: 'https:', hostname, port: port ? Number(port) : undefined, path: p, query: smithyQuery(queryPairs), headers: h };
}

function signer(v) {
  return new SignatureV4({
    credentials: { accessKeyId: v.access_key_id, secretAccessKey: v.secret, sessionToken: v.token || undefined },
    region: v.region, service: 's3', sha256: Hash.bind(null, 'sha256'), uriEscapePath: false, applyChecksum: false,
  });
}

/** Recomputes one vector; returns {canonical, signature, got} from the vendor code. */
const recompute = {
  async 'oss-v1'(v) {
    const headers = nodeHeaders(v);
    const m = /^OSS ([^:\s]+):(\S+)$/.exec(v.result);
    assert.ok(m, `Authorization shape: ${v.result}`);
    assert.strictEqual(m[1], v.access_key_id);
    const canonical = signUtils.buildCanonicalString(v.method, v1Resource(v),
      { headers: v1Headers(headers), parameters: v1Params(v.query, new Set()) },
      headers['x-oss-date'] ? undefined : headers.date);
    return { canonical, signature: signUtils.computeSignature(v.secret, canonical), got: m[2] };
  },
  async 'oss-v1-url'(v) {
    const headers = nodeHeaders(v);
    const authq = parseQs(v.result);
    const q = Object.fromEntries(authq);
    assert.deepStrictEqual(Object.keys(q).sort(),
      ['Expires', 'OSSAccessKeyId', 'Signature', ...(v.token ? ['security-token'] : [])].sort());
    assert.strictEqual(q.OSSAccessKeyId, v.access_key_id);
    assert.strictEqual(q.Expires, String(v.expires));
    if (v.token) assert.strictEqual(q['security-token'], v.token);
    const canonical = signUtils.buildCanonicalString(v.method, v1Resource(v),
      { headers: v1Headers(headers), parameters: v1Params(v.query.concat(authq), new Set(['OSSAccessKeyId', 'Expires', 'Signature'])) },
      q.Expires);
    return { canonical, signature: signUtils.computeSignature(v.secret, canonical), got: q.Signature };
  },
  async 'oss-v4'(v) {
    const headers = nodeHeaders(v);
    assert.ok(v.result.startsWith('OSS4-HMAC-SHA256 Credential='), v.result);
    const p = parseAuthParams(v.result.slice('OSS4-HMAC-SHA256 '.length));
    const date = isoBasic(v.now);
    assert.strictEqual(p.Credential, signUtils.getCredential(date.slice(0, 8), v.region, v.access_key_id));
    const additional = signUtils.fixAdditionalHeaders(p.AdditionalHeaders ? p.AdditionalHeaders.split(';') : []);
    assert.deepStrictEqual(additional, signUtils.fixAdditionalHeaders(v.additional), 'AdditionalHeaders as ali-oss normalizes them');
    assert.strictEqual(headers['x-oss-date'], date);
    const canonical = signUtils.getCanonicalRequest(v.method, { headers, queries: v4Queries(v.query, new Set()) },
      v.bucket || undefined, v.key || undefined, additional);
    const sts = signUtils.getStringToSign(v.region, date, canonical);
    const expectAuth = signUtils.authorizationV4(v.access_key_id, v.secret, v.region, v.method,
      { headers, queries: v4Queries(v.query, new Set()) }, v.bucket || undefined, v.key || undefined, v.additional);
    assert.strictEqual(v.result, expectAuth, 'whole Authorization value as ali-oss builds it');
    return { canonical, signature: signUtils.getSignatureV4(v.secret, date.slice(0, 8), v.region, sts), got: p.Signature };
  },
  async 'oss-v4-url'(v) {
    const headers = nodeHeaders(v);
    const authq = parseQs(v.result);
    const q = Object.fromEntries(authq);
    const date = isoBasic(v.now);
    assert.strictEqual(q['x-oss-date'], date);
    assert.strictEqual(q['x-oss-expires'], String(v.expires));
    assert.strictEqual(q['x-oss-signature-version'], 'OSS4-HMAC-SHA256');
    assert.strictEqual(q['x-oss-credential'], signUtils.getCredential(date.slice(0, 8), v.region, v.access_key_id));
    assert.strictEqual(q['x-oss-security-token'], v.token || undefined);
    const additional = signUtils.fixAdditionalHeaders(q['x-oss-additional-headers'] ? q['x-oss-additional-headers'].split(';') : []);
    assert.deepStrictEqual(additional, signUtils.fixAdditionalHeaders(v.additional));
    const canonical = signUtils.getCanonicalRequest(v.method,
      { headers, queries: v4Queries(v.query.concat(authq), new Set(['x-oss-signature'])) },
      v.bucket || undefined, v.key || undefined, additional);
    const sts = signUtils.getStringToSign(v.region, date, canonical);
    return { canonical, signature: signUtils.getSignatureV4(v.secret, date.slice(0, 8), v.region, sts), got: q['x-oss-signature'] };
  },
  async 'aws-sigv4'(v) {
    const headers = nodeHeaders(v);
    assert.ok(v.result.startsWith('AWS4-HMAC-SHA256 Credential='), v.result);
    const p = parseAuthParams(v.result.slice('AWS4-HMAC-SHA256 '.length));
    const signed = p.SignedHeaders.split(';');
    const expected = Object.keys(headers).filter(h => h === 'host' || h === 'content-type' ||
      h === 'content-md5' || h.startsWith('x-amz-')).sort();
    assert.deepStrictEqual(signed, expected, 'SignedHeaders: host, content-type, content-md5, x-amz-*');
    const unsigned = signed.filter(h => h !== 'x-amz-date' && h !== 'x-amz-security-token');
    const request = smithyBase(v, headers, v.query, unsigned);
    const date = new Date(v.now * 1000);
    const opts = { signingDate: date, signableHeaders: new Set(signed), signingRegion: v.region, signingService: 's3' };
    const s = signer(v);
    const out = await s.sign(request, opts);
    assert.strictEqual(v.result, out.headers.authorization, 'whole Authorization value as @smithy/signature-v4 builds it');
    // The canonical request smithy signed, rebuilt from its own exported pieces.
    const full = { ...request, headers: { ...request.headers, 'x-amz-date': isoBasic(v.now) } };
    if (v.token) full.headers['x-amz-security-token'] = v.token;
    const payload = headers['x-amz-content-sha256'] ||
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
    const canonical = s.createCanonicalRequest(full, getCanonicalHeaders(full, undefined, new Set(signed)), payload);
    return { canonical, signature: /Signature=([0-9a-f]+)/.exec(out.headers.authorization)[1], got: p.Signature };
  },
  async 'aws-sigv4-url'(v) {
    const headers = nodeHeaders(v);
    const authq = parseQs(v.result);
    const q = Object.fromEntries(authq);
    assert.strictEqual(q['X-Amz-SignedHeaders'], 'host');
    assert.strictEqual(q['X-Amz-Expires'], String(v.expires));
    assert.strictEqual(q['X-Amz-Date'], isoBasic(v.now));
    assert.strictEqual(q['X-Amz-Security-Token'], v.token || undefined);
    // As @aws-sdk/s3-request-presigner does: the payload is UNSIGNED-PAYLOAD,
    // announced by a header that is neither signed nor hoisted into the query.
    const request = smithyBase(v, headers, v.query, ['host']);
    request.headers['x-amz-content-sha256'] = 'UNSIGNED-PAYLOAD';
    const only = new Set(['x-amz-content-sha256']);
    const s = signer(v);
    const out = await s.presign(request, {
      signingDate: new Date(v.now * 1000), expiresIn: v.expires, unsignableHeaders: only,
      unhoistableHeaders: only, signingRegion: v.region, signingService: 's3',
    });
    for (const k of Object.keys(out.query)) {
      if (k.startsWith('X-Amz-')) assert.strictEqual(q[k], out.query[k], k);
    }
    const hostOnly = { ...request, query: out.query, headers: { host: headers.host } };
    const canonical = s.createCanonicalRequest(hostOnly, getCanonicalHeaders(hostOnly), 'UNSIGNED-PAYLOAD');
    return { canonical, signature: out.query['X-Amz-Signature'], got: q['X-Amz-Signature'] };
  },
};

/** The request the endpoint would see, for tests/endpoint/lib/auth.js verify(). */
function endpointRequest(v) {
  const headers = nodeHeaders(v);
  let query = v.query.slice();
  if (v.scheme.endsWith('-url')) query = query.concat(parseQs(v.result));
  else headers.authorization = v.result;
  return { method: v.method, headers, bucket: v.bucket || '', key: v.key || '', query, pathStyle: v.path_style };
}

test('the V1 sub-resource list in src/sign/oss_v1.c is the endpoint\'s', () => {
  const src = fs.readFileSync(path.join(__dirname, '../../src/sign/oss_v1.c'), 'utf8');
  const block = /V1_SUBRESOURCES\[\] = \{([^}]*)\}/.exec(src)[1];
  const names = [...block.matchAll(/"([^"]+)"/g)].map(m => m[1]);
  assert.deepStrictEqual(names, [...names].sort(), 'kept sorted for bsearch');
  assert.deepStrictEqual(names.slice().sort(), [...auth.V1_SUBRESOURCES].sort());
});

test(`at least ${MIN_PER_SCHEME} vectors per scheme, all signed`, () => {
  const per = {};
  for (const v of vectors) {
    per[v.scheme] = (per[v.scheme] || 0) + 1;
    assert.strictEqual(v.status, 0, `ossio refused to sign: ${JSON.stringify(v)}`);
  }
  assert.deepStrictEqual(Object.keys(per).sort(), Object.keys(recompute).sort());
  for (const [s, n] of Object.entries(per)) assert.ok(n >= MIN_PER_SCHEME, `${s}: ${n}`);
  console.log(`vectors per scheme: ${JSON.stringify(per)}`);
});

for (const scheme of Object.keys(recompute)) {
  test(`${scheme}: canonical string and signature equal the vendor's`, async () => {
    const mismatches = [];
    let n = 0;
    for (const v of vectors.filter(x => x.scheme === scheme)) {
      n++;
      let r;
      try {
        r = await recompute[scheme](v);
      } catch (e) {
        mismatches.push(`#${n} ${e.message}\n  input: ${JSON.stringify(v)}`);
        continue;
      }
      if (r.canonical !== v.canonical || r.signature !== r.got) {
        mismatches.push(`#${n} ${scheme} ${v.method} key=${JSON.stringify(v.key)}\n` +
          `  ossio canonical:  ${JSON.stringify(v.canonical)}\n` +
          `  vendor canonical: ${JSON.stringify(r.canonical)}\n` +
          `  ossio signature ${r.got}, vendor ${r.signature}\n  input: ${JSON.stringify(v)}`);
      }
    }
    assert.ok(n >= MIN_PER_SCHEME);
    if (mismatches.length) {
      assert.fail(`${mismatches.length}/${n} mismatches:\n${mismatches.join('\n')}`);
    }
  });
}

test('the endpoint\'s verify() accepts every vector of every scheme', async () => {
  const failures = [];
  for (const v of vectors) {
    const accounts = new Map([[v.access_key_id, { secret: v.secret, token: v.token || undefined }]]);
    const req = endpointRequest(v);
    try {
      const r = await auth.verify(req, accounts, v.now * 1000);
      assert.strictEqual(r.scheme, v.scheme);
    } catch (e) {
      failures.push(`${v.scheme}: ${e.code || ''} ${e.message} ${e.detail || ''}\n  input: ${JSON.stringify(v)}`);
    }
  }
  if (failures.length) assert.fail(`${failures.length} rejected:\n${failures.join('\n')}`);
});
