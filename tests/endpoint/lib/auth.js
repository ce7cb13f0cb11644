// Request authentication for the local OSS endpoint. Every signature is
// recomputed by the vendors' own code: ali-oss's signUtils for OSS V1/V4 and
// @smithy/signature-v4 (the AWS SDK's signer) for SigV4. This file only picks
// the pieces out of the request and compares.
'use strict';

const crypto = require('crypto');
const signUtils = require('ali-oss/lib/common/signUtils');
const { SignatureV4 } = require('@smithy/signature-v4');
const { Hash } = require('@smithy/hash-node');
const { encodeKeyPath } = require('./query');

const MAX_SKEW_MS = 15 * 60 * 1000;

// Query parameters OSS V1 includes in the CanonicalizedResource (the union of
// the lists Aliyun's SDKs sign); every other query parameter is left out.
const V1_SUBRESOURCES = new Set([
  'acl', 'append', 'bucketInfo', 'callback', 'callback-var', 'cleanRestoredObject', 'cloudboxes',
  'comp', 'continuation-token', 'cors', 'delete', 'encryption', 'endTime', 'img', 'inventory',
  'lifecycle', 'live', 'location', 'logging', 'objectMeta', 'partNumber', 'policy', 'position',
  'qos', 'referer', 'regionList', 'replication', 'replicationLocation', 'replicationProgress',
  'response-cache-control', 'response-content-disposition', 'response-content-encoding',
  'response-content-language', 'response-content-type', 'response-expires', 'restore',
  'security-token', 'sequential', 'startTime', 'stat', 'status', 'style', 'styleName', 'symlink',
  'tagging', 'udf', 'udfApplication', 'udfApplicationLog', 'udfId', 'udfImage', 'udfImageDesc',
  'udfName', 'uploadId', 'uploads', 'versionId', 'versioning', 'versions', 'vod', 'website',
  'worm', 'wormExtend', 'wormId', 'x-oss-process',
]);

class AuthError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

const denied = (code, message) => new AuthError(403, code, message);

function safeEqual(a, b) {
  const ba = Buffer.from(String(a));
  const bb = Buffer.from(String(b));
  return ba.length === bb.length && crypto.timingSafeEqual(ba, bb);
}

/** Looks the key id up and checks the STS token rule for it. */
function account(accounts, ak, token) {
  const acct = accounts.get(ak);
  if (!acct) throw denied('InvalidAccessKeyId', 'The OSS Access Key Id you provided does not exist in our records.');
  if ((acct.token || token) && acct.token !== token) {
    throw denied('InvalidSecurityToken', 'The security token you provided is invalid.');
  }
  return acct;
}

function checkSkew(when, now) {
  if (Number.isNaN(when) || Math.abs(now - when) > MAX_SKEW_MS) {
    throw denied('RequestTimeTooSkewed', 'The difference between the request time and the current time is too large.');
  }
}

function checkExpiry(expiresAtMs, now) {
  if (Number.isNaN(expiresAtMs) || now > expiresAtMs) throw denied('AccessDenied', 'Request has expired.');
}

/** "20250101T000000Z" → epoch ms. */
function parseIsoBasic(s) {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(s || '');
  if (!m) return NaN;
  return Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]);
}

function v1Resource(req) {
  if (!req.bucket) return '/';
  return `/${req.bucket}/${req.key || ''}`;
}

function v1SubResources(req, skip) {
  const sub = {};
  for (const [k, v] of req.query) {
    if (skip.has(k) || !V1_SUBRESOURCES.has(k)) continue;
    sub[k] = v === null ? '' : v;
  }
  return sub;
}

function signedHeadersV1(headers) {
  const out = {};
  for (const [k, v] of Object.entries(headers)) {
    if (k.startsWith('x-oss-') || k === 'content-type' || k === 'content-md5') out[k] = v;
  }
  return out;
}

function verifyOssV1Header(req, accounts, now) {
  const m = /^OSS ([^:\s]+):(\S+)$/.exec(req.headers.authorization);
  if (!m) throw new AuthError(400, 'InvalidArgument', 'Authorization header is invalid.');
  const acct = account(accounts, m[1], req.headers['x-oss-security-token']);
  const dateStr = req.headers['x-oss-date'] || req.headers.date;
  checkSkew(Date.parse(dateStr), now);
  const headers = signedHeadersV1(req.headers);
  // signUtils takes the Date line from x-oss-date, or from `expires` when given.
  const canonical = signUtils.buildCanonicalString(
    req.method, v1Resource(req), { headers, parameters: v1SubResources(req, new Set()) },
    req.headers['x-oss-date'] ? undefined : req.headers.date);
  const expected = signUtils.computeSignature(acct.secret, canonical);
  if (!safeEqual(expected, m[2])) throw signatureMismatch(canonical);
  return { scheme: 'oss-v1', ak: m[1] };
}

function verifyOssV1Query(req, accounts, now) {
  const q = Object.fromEntries(req.query);
  const acct = account(accounts, q.OSSAccessKeyId, q['security-token'] ?? undefined);
  checkExpiry(Number(q.Expires) * 1000, now);
  const headers = signedHeadersV1(req.headers);
  const canonical = signUtils.buildCanonicalString(
    req.method, v1Resource(req),
    { headers, parameters: v1SubResources(req, new Set(['OSSAccessKeyId', 'Expires', 'Signature'])) },
    q.Expires);
  const expected = signUtils.computeSignature(acct.secret, canonical);
  if (!safeEqual(expected, q.Signature || '')) throw signatureMismatch(canonical);
  return { scheme: 'oss-v1-url', ak: q.OSSAccessKeyId };
}

function parseAuthParams(s) {
  const out = {};
  for (const part of s.split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) out[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  return out;
}

/** Splits "AK/20250101/region/service/terminator". */
function parseCredential(cred, terminator) {
  const parts = (cred || '').split('/');
  if (parts.length !== 5 || parts[4] !== terminator) {
    throw new AuthError(400, 'InvalidArgument', `Invalid credential scope: ${parts.slice(1).join('/')}`);
  }
  return { ak: parts[0], date: parts[1], region: parts[2], service: parts[3] };
}

function v4Queries(req, skip) {
  const queries = {};
  for (const [k, v] of req.query) {
    if (skip.has(k)) continue;
    queries[k] = v === '' ? null : v; // OSS V4 signs a key without a value as the bare key
  }
  return queries;
}

function ossV4Signature(acct, req, cred, date, queries, additional) {
  const canonical = signUtils.getCanonicalRequest(req.method, { headers: req.headers, queries },
    req.bucket || undefined, req.key || undefined, additional);
  const sts = signUtils.getStringToSign(cred.region, date, canonical, cred.service);
  return { canonical, sig: signUtils.getSignatureV4(acct.secret, cred.date, cred.region, sts, cred.service) };
}

function verifyOssV4Header(req, accounts, now) {
  const p = parseAuthParams(req.headers.authorization.slice('OSS4-HMAC-SHA256 '.length));
  const cred = parseCredential(p.Credential, 'aliyun_v4_request');
  const acct = account(accounts, cred.ak, req.headers['x-oss-security-token']);
  const date = req.headers['x-oss-date'];
  checkSkew(parseIsoBasic(date), now);
  if (date.slice(0, 8) !== cred.date) throw signatureMismatch('credential date does not match x-oss-date');
  const additional = signUtils.fixAdditionalHeaders(p.AdditionalHeaders ? p.AdditionalHeaders.split(';') : []);
  let r;
  try {
    r = ossV4Signature(acct, req, cred, date, v4Queries(req, new Set()), additional);
  } catch (e) {
    throw signatureMismatch(e.message);
  }
  if (!safeEqual(r.sig, p.Signature || '')) throw signatureMismatch(r.canonical);
  return { scheme: 'oss-v4', ak: cred.ak };
}

function verifyOssV4Query(req, accounts, now) {
  const q = Object.fromEntries(req.query);
  const cred = parseCredential(q['x-oss-credential'], 'aliyun_v4_request');
  const acct = account(accounts, cred.ak, q['x-oss-security-token'] ?? undefined);
  const date = q['x-oss-date'];
  checkExpiry(parseIsoBasic(date) + Number(q['x-oss-expires']) * 1000, now);
  const additional = signUtils.fixAdditionalHeaders(
    q['x-oss-additional-headers'] ? q['x-oss-additional-headers'].split(';') : []);
  let r;
  try {
    r = ossV4Signature(acct, req, cred, date, v4Queries(req, new Set(['x-oss-signature'])), additional);
  } catch (e) {
    throw signatureMismatch(e.message);
  }
  if (!safeEqual(r.sig, q['x-oss-signature'] || '')) throw signatureMismatch(r.canonical);
  return { scheme: 'oss-v4-url', ak: cred.ak };
}

// --- AWS SigV4, recomputed by @smithy/signature-v4 -------------------------

function smithyRequest(req, signed, queries) {
  const headers = {};
  for (const h of signed) if (req.headers[h] !== undefined) headers[h] = req.headers[h];
  // S3 does not normalise or double-encode the path: sign the canonical encoding of the decoded key.
  let path = '/';
  if (req.pathStyle && req.bucket) path += req.key || req.bucketSlash ? `${req.bucket}/` : req.bucket;
  if (req.key) path += encodeKeyPath(req.key);
  const [hostname, port] = (req.headers.host || '').split(':');
  return { method: req.method, protocol: 'https:', hostname, port: port ? Number(port) : undefined, path, query: queries, headers };
}

function smithyQuery(req, skip) {
  const query = {};
  for (const [k, v] of req.query) {
    if (skip.has(k)) continue;
    const val = v === null ? '' : v;
    if (k in query) query[k] = [].concat(query[k], val);
    else query[k] = val;
  }
  return query;
}

function signer(acct, cred, token) {
  return new SignatureV4({
    credentials: { accessKeyId: cred.ak, secretAccessKey: acct.secret, sessionToken: token },
    region: cred.region, service: cred.service, sha256: Hash.bind(null, 'sha256'),
    uriEscapePath: false, applyChecksum: false,
  });
}

async function verifySigV4Header(req, accounts, now) {
  const p = parseAuthParams(req.headers.authorization.slice('AWS4-HMAC-SHA256 '.length));
  const cred = parseCredential(p.Credential, 'aws4_request');
  const token = req.headers['x-amz-security-token'];
  const acct = account(accounts, cred.ak, token);
  const when = parseIsoBasic(req.headers['x-amz-date']);
  checkSkew(when, now);
  const signed = (p.SignedHeaders || '').split(';').filter(Boolean);
  const unsigned = new Set(signed.filter(h => h !== 'x-amz-date' && h !== 'x-amz-security-token'));
  const sigFor = async (r) => {
    const out = await signer(acct, cred, token).sign(smithyRequest(r, unsigned, smithyQuery(r, new Set())), {
      signingDate: new Date(when), signableHeaders: new Set(signed),
      signingRegion: cred.region, signingService: cred.service,
    });
    return /Signature=([0-9a-f]+)/.exec(out.headers.authorization)[1];
  };
  // The path is signed as sent: "/bucket" (ossio, rclone) or "/bucket/".
  if (!safeEqual(await sigFor(req), p.Signature || '')) throw signatureMismatch('SigV4 canonical request differs');
  return { scheme: 'aws-sigv4', ak: cred.ak };
}

const SIGV4_QUERY_AUTH = new Set(['X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Date', 'X-Amz-Expires',
  'X-Amz-SignedHeaders', 'X-Amz-Signature', 'X-Amz-Security-Token']);

async function verifySigV4Query(req, accounts, now) {
  const q = Object.fromEntries(req.query);
  const cred = parseCredential(q['X-Amz-Credential'], 'aws4_request');
  const token = q['X-Amz-Security-Token'] ?? undefined;
  const acct = account(accounts, cred.ak, token);
  const when = parseIsoBasic(q['X-Amz-Date']);
  const expiresIn = Number(q['X-Amz-Expires']);
  checkExpiry(when + expiresIn * 1000, now);
  const signed = (q['X-Amz-SignedHeaders'] || '').split(';').filter(Boolean);
  const sigFor = async (r) => {
    const request = smithyRequest(r, new Set(signed), smithyQuery(r, SIGV4_QUERY_AUTH));
    // S3 presigned URLs sign the payload as UNSIGNED-PAYLOAD (the header only
    // tells smithy the payload hash; it is neither signed nor hoisted).
    request.headers['x-amz-content-sha256'] = 'UNSIGNED-PAYLOAD';
    const out = await signer(acct, cred, token).presign(request, {
      signingDate: new Date(when), expiresIn, signableHeaders: new Set(signed),
      unsignableHeaders: new Set(['x-amz-content-sha256']),
      unhoistableHeaders: new Set([...signed, 'x-amz-content-sha256']),
      signingRegion: cred.region, signingService: cred.service,
    });
    return out.query['X-Amz-Signature'];
  };
  let ok = safeEqual(await sigFor(req), q['X-Amz-Signature'] || '');
  if (!ok && req.pathStyle && req.bucket && !req.key) { // as in verifySigV4Header
    ok = safeEqual(await sigFor({ ...req, bucketSlash: !req.bucketSlash }), q['X-Amz-Signature'] || '');
  }
  if (!ok) throw signatureMismatch('SigV4 presigned canonical request differs');
  return { scheme: 'aws-sigv4-url', ak: cred.ak };
}

function signatureMismatch(detail) {
  const e = denied('SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided. Check your key and signing method.');
  e.detail = detail; // canonical string, shown only in the endpoint's own log file
  return e;
}

/**
 * Verifies one request. `req` = {method, headers (lower-case names), bucket,
 * key (decoded), query ([k, v|null] pairs), pathStyle}. Resolves to
 * {scheme, ak}; rejects with an AuthError.
 */
async function verify(req, accounts, now = Date.now()) {
  const auth = req.headers.authorization;
  const has = name => req.query.some(([k]) => k === name);
  if (auth) {
    if (auth.startsWith('OSS ')) return verifyOssV1Header(req, accounts, now);
    if (auth.startsWith('OSS4-HMAC-SHA256 ')) return verifyOssV4Header(req, accounts, now);
    if (auth.startsWith('AWS4-HMAC-SHA256 ')) return verifySigV4Header(req, accounts, now);
    throw new AuthError(400, 'InvalidArgument', 'Authorization header is invalid.');
  }
  if (has('OSSAccessKeyId') && has('Signature')) return verifyOssV1Query(req, accounts, now);
  if (has('x-oss-signature')) return verifyOssV4Query(req, accounts, now);
  if (has('X-Amz-Signature')) return verifySigV4Query(req, accounts, now);
  throw denied('AccessDenied', 'You have no right to access this object because of bucket acl.');
}

/** Query parameters that carry authentication and must not reach s3rver. */
function isAuthQueryParam(k) {
  return k === 'OSSAccessKeyId' || k === 'Expires' || k === 'Signature' || k === 'security-token' ||
    k.startsWith('x-oss-') || SIGV4_QUERY_AUTH.has(k);
}

module.exports = { verify, AuthError, isAuthQueryParam, V1_SUBRESOURCES };
