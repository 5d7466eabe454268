// Wallet simulator for the eID method's tests (docs/srs.md "eID"): a test issuer that issues
// SD-JWT VC identity credentials (EU PID vocabulary, every claim selectively disclosable, the
// holder key in cnf.jwk) and a wallet that fetches an OpenID4VP request object from its
// request_uri and answers with direct_post: vp_token {"identity": ["<SD-JWT>~<KB-JWT>"]}.
// Node's crypto does ES256 (P-256, JOSE r||s signatures); nothing here is Signet's code.
//
// As a module: makeIssuer, writeJwks, issueCredential, present, fetchRequest, answer, walletAnswer.
// As a command (the C API tests use it):
//   node wallet_sim.mjs issuer DIR              → DIR/issuer.jwks.json (public) + DIR/issuer.key.json
//   node wallet_sim.mjs present DIR URI CASE    → prints {"status":…, "body":…} of the answer
// CASE: ok | wrong-nonce | wrong-aud | bad-sd-hash | tampered-disclosure | unknown-issuer |
//       expired | replay (answers twice with the same body and prints the second answer).
import { createHash, generateKeyPairSync, randomBytes, sign, createPrivateKey } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const b64u = (buf) => Buffer.from(buf).toString('base64url');
const b64uJson = (v) => b64u(JSON.stringify(v));
const sha256b64u = (s) => createHash('sha256').update(s, 'ascii').digest('base64url');

function jws(header, payload, privateKey) {
  const input = `${b64uJson(header)}.${b64uJson(payload)}`;
  const sig = sign('sha256', Buffer.from(input, 'ascii'), { key: privateKey, dsaEncoding: 'ieee-p1363' });
  return `${input}.${b64u(sig)}`;
}

function publicJwk(privateKey) {
  const { kty, crv, x, y } = privateKey.export({ format: 'jwk' });
  return { kty, crv, x, y };
}

// A test issuer: a P-256 key with a kid.
export function makeIssuer(kid = `test-issuer-${randomBytes(4).toString('hex')}`) {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { kid, privateKey, iss: 'https://eid-issuer.test.example' };
}

export function writeJwks(path, issuers) {
  writeFileSync(path, JSON.stringify({ keys: issuers.map((i) => ({ ...publicJwk(i.privateKey), kid: i.kid, alg: 'ES256', use: 'sig' })) }));
}

export const PERSON = {
  given_name: 'Zora', family_name: 'Quellmatt', birthdate: '1985-04-12', nationalities: ['CH'],
  document_number: 'E1234567', date_of_expiry: '2031-03-31', issuing_country: 'CH',
};

// An SD-JWT VC (ending with '~') for the holder key, every claim a disclosure; nationalities
// as array element disclosures. Returns { credential, holderKey }.
export function issueCredential(issuer, person = PERSON, { expOffset = 365 * 86400, vct = 'urn:eudi:pid:1' } = {}) {
  const { privateKey: holderKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const disclosures = [];
  const disclose = (arr) => {
    const d = b64uJson(arr);
    disclosures.push(d);
    return sha256b64u(d);
  };
  const salt = () => randomBytes(16).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const payload = { iss: issuer.iss, iat: now, exp: now + expOffset, vct, cnf: { jwk: publicJwk(holderKey) }, _sd_alg: 'sha-256', _sd: [] };
  for (const [name, value] of Object.entries(person)) {
    if (Array.isArray(value)) {
      payload._sd.push(disclose([salt(), name, value.map((v) => ({ '...': disclose([salt(), v]) }))]));
    } else {
      payload._sd.push(disclose([salt(), name, value]));
    }
  }
  payload._sd.push(sha256b64u(salt())); // a decoy digest
  payload._sd.sort();
  const jwt = jws({ alg: 'ES256', typ: 'dc+sd-jwt', kid: issuer.kid }, payload, issuer.privateKey);
  return { credential: `${jwt}~${disclosures.join('~')}~`, holderKey };
}

// The presentation: the SD-JWT with a KB-JWT over it (aud, nonce, iat, sd_hash).
export function present({ credential, holderKey }, { aud, nonce, sdHash }) {
  const kb = jws({ alg: 'ES256', typ: 'kb+jwt' },
    { iat: Math.floor(Date.now() / 1000), aud, nonce, sd_hash: sdHash ?? sha256b64u(credential) }, holderKey);
  return credential + kb;
}

// Fetches and decodes the request object of a request_uri (an unsigned JWT, alg "none").
export async function fetchRequest(requestUri) {
  const r = await fetch(requestUri);
  if (!r.ok) throw new Error(`request_uri: ${r.status} ${await r.text()}`);
  const jwt = await r.text();
  const [h, p] = jwt.split('.');
  const header = JSON.parse(Buffer.from(h, 'base64url').toString());
  if (header.alg !== 'none' || header.typ !== 'oauth-authz-req+jwt') throw new Error(`unexpected request header ${JSON.stringify(header)}`);
  return JSON.parse(Buffer.from(p, 'base64url').toString());
}

// direct_post of vp_token and state to the request's response_uri.
export async function answer(request, vpToken) {
  const body = new URLSearchParams({ vp_token: JSON.stringify(vpToken), state: request.state }).toString();
  const r = await fetch(request.response_uri, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body });
  const text = await r.text();
  let json = null;
  try { json = JSON.parse(text); } catch { /* not JSON */ }
  return { status: r.status, body: json ?? text };
}

// The wallet's whole answer to a request_uri for one test case.
export async function walletAnswer(issuer, requestUri, kase = 'ok') {
  const request = await fetchRequest(requestUri);
  const q = request.dcql_query.credentials[0];
  if (request.response_type !== 'vp_token' || request.response_mode !== 'direct_post' || q.format !== 'dc+sd-jwt') {
    throw new Error(`not a request this wallet answers: ${JSON.stringify(request)}`);
  }
  const signer = kase === 'unknown-issuer' ? makeIssuer('not-trusted') : issuer;
  const cred = issueCredential(signer, PERSON, { expOffset: kase === 'expired' ? -3600 : 365 * 86400, vct: q.meta.vct_values[0] });
  if (kase === 'tampered-disclosure') {
    // Change the family name inside its disclosure: its digest is no longer in _sd.
    const parts = cred.credential.split('~');
    for (let i = 1; i < parts.length - 1; i++) {
      const d = JSON.parse(Buffer.from(parts[i], 'base64url').toString());
      if (d[1] === 'family_name') parts[i] = b64uJson([d[0], 'family_name', 'Mallory']);
    }
    cred.credential = parts.join('~');
  }
  const presentation = present(cred, {
    aud: kase === 'wrong-aud' ? 'redirect_uri:https://other-verifier.example/response' : request.client_id,
    nonce: kase === 'wrong-nonce' ? randomBytes(16).toString('base64url') : request.nonce,
    sdHash: kase === 'bad-sd-hash' ? sha256b64u(cred.credential + 'x') : undefined,
  });
  const vpToken = { [q.id]: [presentation] };
  const first = await answer(request, vpToken);
  return kase === 'replay' ? answer(request, vpToken) : first;
}

function loadIssuer(dir) {
  const k = JSON.parse(readFileSync(join(dir, 'issuer.key.json'), 'utf8'));
  return { kid: k.kid, iss: k.iss, privateKey: createPrivateKey({ key: k.jwk, format: 'jwk' }) };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [cmd, dir, uri, kase] = process.argv.slice(2);
  if (cmd === 'issuer') {
    const issuer = makeIssuer();
    writeJwks(join(dir, 'issuer.jwks.json'), [issuer]);
    writeFileSync(join(dir, 'issuer.key.json'), JSON.stringify({ kid: issuer.kid, iss: issuer.iss, jwk: issuer.privateKey.export({ format: 'jwk' }) }));
  } else if (cmd === 'present') {
    const r = await walletAnswer(loadIssuer(dir), uri, kase);
    process.stdout.write(JSON.stringify(r) + '\n');
  } else {
    process.stderr.write('usage: wallet_sim.mjs issuer DIR | present DIR REQUEST_URI CASE\n');
    process.exit(2);
  }
}
