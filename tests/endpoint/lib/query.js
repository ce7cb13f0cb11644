// Request-target parsing shared by the front server and the signature checks.
// Query strings are split by hand: URLSearchParams turns '+' into a space, which
// object stores do not do.
'use strict';

/** Percent-decodes one component; '+' stays '+'. Throws on malformed escapes. */
function pctDecode(s) {
  return decodeURIComponent(s);
}

/**
 * Parses a raw query string into ordered [key, value|null] pairs.
 * A key without '=' gets value null; 'k=' gets ''.
 */
function parseQuery(raw) {
  const pairs = [];
  if (!raw) return pairs;
  for (const part of raw.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    if (eq < 0) pairs.push([pctDecode(part), null]);
    else pairs.push([pctDecode(part.slice(0, eq)), pctDecode(part.slice(eq + 1))]);
  }
  return pairs;
}

/** Splits a request target into its raw path and raw query. */
function splitTarget(target) {
  const q = target.indexOf('?');
  return q < 0 ? { rawPath: target, rawQuery: '' } : { rawPath: target.slice(0, q), rawQuery: target.slice(q + 1) };
}

/** RFC 3986 encoding of one path segment or query component (S3 and OSS V4 rules). */
function uriEncode(s) {
  return encodeURIComponent(s).replace(/[!'()*]/g, c => '%' + c.charCodeAt(0).toString(16).toUpperCase());
}

/** Encodes an object key for a path, keeping '/' separators. */
function encodeKeyPath(key) {
  return key.split('/').map(uriEncode).join('/');
}

function pairsToQueryString(pairs) {
  return pairs.map(([k, v]) => (v === null ? uriEncode(k) : `${uriEncode(k)}=${uriEncode(v)}`)).join('&');
}

module.exports = { pctDecode, parseQuery, splitTarget, uriEncode, encodeKeyPath, pairsToQueryString };
