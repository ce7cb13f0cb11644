// How the front names objects inside s3rver. s3rver keeps objects as files, so
// a key with an empty segment ('a//b') or a trailing '/' cannot be stored as
// is. The front stores T(key), which puts a '_' after every '/': never an empty
// segment, reversible, and prefix-preserving (so ListObjects prefixes, markers
// and '/' delimiters still work on stored names).
'use strict';

const toStore = key => key.replace(/\//g, '/_');
const fromStore = key => key.replace(/\/_/g, '/');

/** Query parameters whose values are keys or key prefixes. */
const STORE_KEY_QUERY = new Set(['prefix', 'marker', 'start-after', 'key-marker']);
const STORE_KEY_TAGS = ['Key', 'Prefix', 'Marker', 'NextMarker', 'StartAfter', 'NextKeyMarker', 'KeyMarker'];

/** Maps stored names back to keys in an s3rver XML answer (list, multipart, delete). */
function decodeStoreKeysInXml(xml) {
  for (const t of STORE_KEY_TAGS) {
    xml = xml.replace(new RegExp(`<${t}>([^<]*)</${t}>`, 'g'), (m, v) => `<${t}>${fromStore(v)}</${t}>`);
  }
  return xml;
}

/** Maps keys to stored names in a request XML body (DeleteMultipleObjects). */
function encodeStoreKeysInXml(xml) {
  return xml.replace(/<Key>([^<]*)<\/Key>/g, (m, v) => `<Key>${toStore(v)}</Key>`);
}

module.exports = { toStore, fromStore, STORE_KEY_QUERY, decodeStoreKeysInXml, encodeStoreKeysInXml };
