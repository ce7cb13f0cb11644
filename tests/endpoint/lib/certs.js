// Per-run certificates made with the openssl command: a test CA and a server
// certificate for every name the endpoint answers to, plus a certificate from
// another CA and one for the wrong host name, for TLS verification tests.
'use strict';

const { execFileSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const SERVER_SANS = [
  'DNS:localhost', 'DNS:oss.localhost', 'DNS:*.oss.localhost', 'IP:127.0.0.1', 'IP:::1',
  'DNS:oss-cn-hangzhou.aliyuncs.com', 'DNS:*.oss-cn-hangzhou.aliyuncs.com',
];

function openssl(args, cwd) {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

function makeCa(dir, name, cn) {
  openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', `${name}.key`, '-out', `${name}.pem`, '-days', '3', '-subj', `/CN=${cn}`,
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'], dir);
  return { cert: path.join(dir, `${name}.pem`), key: path.join(dir, `${name}.key`) };
}

function makeLeaf(dir, name, ca, sans) {
  const ext = path.join(dir, `${name}.ext`);
  fs.writeFileSync(ext, [
    'basicConstraints=critical,CA:FALSE',
    'keyUsage=critical,digitalSignature,keyEncipherment',
    'extendedKeyUsage=serverAuth',
    `subjectAltName=${sans.join(',')}`,
  ].join('\n') + '\n');
  openssl(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${sans[0].replace(/^DNS:/, '')}`], dir);
  openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', ca.cert, '-CAkey', ca.key, '-CAcreateserial',
    '-days', '2', '-sha256', '-extfile', ext, '-out', `${name}.pem`], dir);
  return { cert: path.join(dir, `${name}.pem`), key: path.join(dir, `${name}.key`) };
}

/** Writes all certificates into dir and returns their paths. */
function makeCerts(dir) {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const ca = makeCa(dir, 'ca', 'ossio test CA');
  const otherCa = makeCa(dir, 'other-ca', 'ossio untrusted CA');
  return {
    ca,
    otherCa,
    server: makeLeaf(dir, 'server', ca, SERVER_SANS),
    badCa: makeLeaf(dir, 'server-other-ca', otherCa, SERVER_SANS),
    badHost: makeLeaf(dir, 'server-wrong-host', ca, ['DNS:wrong-host.invalid']),
  };
}

module.exports = { makeCerts, SERVER_SANS };
