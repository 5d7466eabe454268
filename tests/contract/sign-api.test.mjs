// Sign API contract test (docs/sign-api.md, "Contract test"): drives every operation of the
// contract (/work/shared/contracts/sign-api-v2.openapi.json) against the real `signet serve`
// — each success path and each status the contract documents that Signet can produce — and
// validates every JSON answer against the contract's schema for that status with ajv
// (lib/schema.mjs): the operation's schema for 2xx, the Error schema for every error (also
// where the contract lists a status without a body). For each answer it also checks:
//   - the status is documented for the operation by the contract or by Signet's own API
//     description (GET /system/api-docs), else the test fails;
//   - the Content-Type (application/json; the PDF for getFileContent);
//   - an Error carries all of id, timestamp, name, message, path, httpStatus, clientSubject and
//     clientBody (docs/sign-api.md) with httpStatus = the status and the expected `name`;
//   - no property the contract marks writeOnly (Process.authorization,
//     FileAttachment.signaturePositions) appears in an answer;
//   - properties the contract does not define ("extras"): the contract never says
//     additionalProperties: false and its schemas are the clients' generated models, which
//     ignore unknown properties, so an extra is not a contract violation. It must be one Signet
//     answers on purpose, listed in KNOWN_EXTRAS with its reason (printed as a warning list at
//     the end); any other extra fails the test, so that a new one is a decision, not an accident.
// At the end every status of every operation in the contract must have been seen, or be listed
// in NOT_PRODUCED with the reason Signet's API description gives.
// The signer's action has no HTTP endpoint yet: tests/tools/sign_as_signer (SIGNET_SIGN_AS_SIGNER)
// calls sign_participant_sign on the server's data directory.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, readdir, utimes, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import { loadContract } from './lib/schema.mjs';
import { makeDir, removeDir, run, signetJson, startServer, SIGNET_BIN } from './lib/server.mjs';

const CONTRACT =
  process.env.SIGNET_CONTRACT ||
  new URL('../../../shared/contracts/sign-api-v2.openapi.json', import.meta.url).pathname;
const CORPUS =
  process.env.SIGNET_CORPUS || new URL('../../../shared/pdf-corpus', import.meta.url).pathname;
const SIGN_AS_SIGNER = process.env.SIGNET_SIGN_AS_SIGNER;
const MAX_BODY = 4 * 1024 * 1024; // --max-body for this server: 413 without sending 60 MiB
const BASE_PATH = '/system';

// Extra properties Signet answers on purpose (schema-relative path → reason). Matched against
// the JSON pointer of the extra with array indexes replaced by '*'.
const KNOWN_EXTRAS = {};

// Statuses the contract lists that Signet never answers, with the reason (Signet's API
// description, web/api/openapi.json, says the same; the test checks that it calls them reserved).
const NOT_PRODUCED = {
  'create 409':
    'Reserved by the wire format for conflicts; Signet answers invalid requests with 400 (Validation).',
  'getProcess 409': 'Reserved for general errors; Signet answers a missing process with 404.',
  'getStatus 409': 'Reserved for general errors; Signet answers a missing process with 404.',
  'getFile 409': 'Reserved for general errors; a missing process or file answers 404.',
  'getFileContent 409': 'Reserved for general errors; a missing process or file answers 404.',
  'getFile 412':
    'Reserved by the wire format for a file that cannot be delivered yet; Signet does not answer ' +
    'it today (attached files and signed versions are stored before the answer that names them).',
  'getFileContent 412':
    'Reserved by the wire format for a file that cannot be delivered yet; Signet does not answer ' +
    'it today (attached files and signed versions are stored before the answer that names them).',
};

const contract = loadContract(CONTRACT);
const validateResponse = contract.validator('response');
const validateRequest = contract.validator('request');
const ops = contract.operations;

let server, dataDir, signetDocs;
const tokens = {}; // full, readOnly (sswp:process:read), createOnly (sswp:process:create)
let orgId;
const seen = new Map(); // "op status" → count
const extrasSeen = new Map(); // pattern → Set of "op status"

// ---- calling the API ----

function fill(path, params) {
  return path.replace(/\{(\w+)\}/g, (_, k) => {
    if (!(k in params)) throw new Error(`no value for {${k}} in ${path}`);
    return encodeURIComponent(params[k]);
  });
}

/**
 * Calls operation `opId` and checks the answer against the contract:
 *   params: path parameters; query: URLSearchParams-able; body: object (JSON) or string/Buffer
 *   (raw, with contentType); token: 'full' | 'readOnly' | 'createOnly' | null | a raw string;
 *   expect: the status; name: the Error name expected for an error.
 * Returns {status, json, text, bytes, headers}.
 */
async function call(opId, { params = {}, query, body, contentType, token = 'full', headers = {},
  declaredLength, expect, name }) {
  const op = ops[opId];
  assert.ok(op, `operation ${opId} is in the contract`);
  let url = server.base + BASE_PATH + fill(op.path, params);
  if (query) url += `?${new URLSearchParams(query)}`;
  const h = { ...headers };
  if (token) h.Authorization = `Bearer ${tokens[token] ?? token}`;
  let payload;
  if (body !== undefined) {
    if (typeof body === 'string' || Buffer.isBuffer(body)) payload = body;
    else {
      payload = JSON.stringify(body);
      // A success path must send what the contract allows (readOnly fields absent, …).
      if (expect < 300 && op.requestSchema) {
        const { errors } = validateRequest(op.requestSchema, body);
        assert.deepEqual(errors, [], `${opId}: the test's request is valid against ${op.requestSchema}`);
      }
    }
    h['Content-Type'] = contentType ?? 'application/json';
  }
  const res = declaredLength
    ? await headersOnly(op.method, url, { ...h, 'Content-Type': 'application/json' }, declaredLength)
    : await fetch(url, { method: op.method, headers: h, body: payload });
  const bytes = Buffer.from(await res.arrayBuffer());
  const ctype = res.headers.get('content-type') ?? '';
  const where = `${op.method} ${url.slice(server.base.length)} → ${res.status}`;
  const out = { status: res.status, headers: res.headers, bytes, text: bytes.toString('utf8') };
  assert.equal(res.status, expect, `${where}: expected ${expect}; body: ${out.text.slice(0, 500)}`);
  const key = `${opId} ${res.status}`;
  seen.set(key, (seen.get(key) ?? 0) + 1);

  // Documented: by the contract, or by Signet's own description as an addition.
  const documented = op.responses[String(res.status)] ??
    signetDocs.paths[op.path]?.[op.method.toLowerCase()]?.responses?.[String(res.status)];
  assert.ok(documented, `${where}: status ${res.status} is documented for ${opId} by the contract ` +
    'or by Signet\'s /system/api-docs');

  const spec = op.responses[String(res.status)];
  if (spec && !spec.schema && spec.media.length && res.status < 300) {
    // A binary answer (getFileContent): one of the contract's media types.
    assert.ok(spec.media.includes(ctype.split(';')[0].trim()),
      `${where}: Content-Type ${ctype} is one of ${spec.media.join(', ')}`);
    return out;
  }
  assert.match(ctype, /^application\/json\b/, `${where}: JSON answer`);
  out.json = JSON.parse(out.text);
  // The contract's schema for the status; for a status only Signet documents (208 on create),
  // the contract schema Signet's description names for it; for any error the Error schema.
  const ours = documented.content?.['application/json']?.schema?.$ref?.replace('#/components/schemas/', '');
  const schema = spec?.schema ?? (res.status >= 400 ? 'Error' : ours);
  assert.ok(schema && contract.schemaNames.includes(schema),
    `${where}: a schema of the contract for this success status (${schema})`);
  const { errors, extras } = validateResponse(schema, out.json);
  assert.deepEqual(errors, [], `${where}: the body is valid against ${schema}:\n${out.text.slice(0, 2000)}`);
  for (const x of extras) {
    const pattern = `${schema}${x.replace(/\/\d+(?=\/|$)/g, '/*')}`;
    if (!extrasSeen.has(pattern)) extrasSeen.set(pattern, new Set());
    extrasSeen.get(pattern).add(key);
  }
  if (schema === 'Error') {
    for (const f of ['id', 'timestamp', 'name', 'message', 'path', 'httpStatus', 'clientSubject',
      'clientBody'])
      assert.ok(f in out.json, `${where}: Error has ${f}: ${out.text}`);
    assert.equal(out.json.httpStatus, res.status, `${where}: Error.httpStatus`);
    assert.equal(out.json.path, new URL(url).pathname.slice(BASE_PATH.length), `${where}: Error.path`);
    if (name) assert.equal(out.json.name, name, `${where}: Error.name (${out.json.message})`);
    // The contract's security is OAuth 2.0 bearer tokens (RFC 6750 §3).
    const challenge = res.headers.get('www-authenticate') ?? '';
    if (res.status === 401) assert.match(challenge, /^Bearer\b/, `${where}: WWW-Authenticate`);
    if (res.status === 403) {
      assert.match(challenge, /error="insufficient_scope"/, `${where}: WWW-Authenticate`);
      for (const scope of op.scopes)
        assert.ok(challenge.includes(scope), `${where}: WWW-Authenticate names ${scope}: ${challenge}`);
    }
  }
  return out;
}

/**
 * Sends only the request line and headers with `Content-Length: length` and reads the answer
 * (a Response): the server refuses a body over --max-body from the header alone, and a client
 * like fetch that is still sending would see the connection closed instead of the 413.
 */
function headersOnly(method, url, headers, length) {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const sock = connect(Number(u.port), u.hostname);
    const chunks = [];
    sock.on('error', reject);
    sock.on('data', (d) => chunks.push(d));
    sock.on('end', () => {
      const raw = Buffer.concat(chunks);
      const split = raw.indexOf('\r\n\r\n');
      if (split < 0) return reject(new Error(`no HTTP answer: ${raw}`));
      const [statusLine, ...lines] = raw.subarray(0, split).toString('latin1').split('\r\n');
      const h = new Headers();
      for (const l of lines) h.append(l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1).trim());
      let body = raw.subarray(split + 4);
      if (h.has('content-length')) body = body.subarray(0, Number(h.get('content-length')));
      resolve(new Response(body, { status: Number(statusLine.split(' ')[1]), headers: h }));
    });
    let head = `${method} ${u.pathname}${u.search} HTTP/1.1\r\nHost: ${u.host}\r\n` +
      `Connection: close\r\nContent-Length: ${length}\r\n`;
    for (const [k, v] of Object.entries(headers)) head += `${k}: ${v}\r\n`;
    sock.write(`${head}\r\n`);
  });
}

async function corpusBase64(file) {
  return (await readFile(join(CORPUS, file))).toString('base64');
}

async function signAs(processId, signerId, method) {
  const { stdout } = await run(SIGN_AS_SIGNER, ['--data', dataDir, '--org', orgId, '--process',
    processId, '--signer', signerId, '--method', method, '--log-level', 'error']);
  return JSON.parse(stdout);
}

async function token(client) {
  const res = await fetch(`${server.base}/realms/signet/protocol/openid-connect/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: client.client_id,
      client_secret: client.client_secret }),
  });
  assert.equal(res.status, 200, 'token endpoint');
  return (await res.json()).access_token;
}

async function ageBlobs(dir) {
  const old = new Date(Date.now() - 2 * 3600 * 1000);
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    const p = join(entry.parentPath ?? entry.path, entry.name);
    if ((await stat(p)).isFile()) await utimes(p, old, old);
  }
}

// ---- the scenario ----

const processBody = {
  signatureLevel: 'SIMPLE',
  initiator: { type: 'NON_PERSON', externalIdentifier: 'erp-1', name: 'ERP' },
  invitees: {
    personalMessage: 'Please sign.',
    signers: [
      { type: 'SIGNER', externalIdentifier: 'crm-1', firstName: 'Anna', lastName: 'Muster',
        email: 'anna@example.com', mobile: '+41790000001', role: 'Buyer' },
      { type: 'SIGNER', externalIdentifier: 'crm-2', firstName: 'Beat', lastName: 'Beispiel',
        email: 'beat@example.com' },
    ],
  },
  properties: [{ key: 'contract', value: 'C-1' }],
  payload: 'opaque',
  authorization: 'CODE',
};

const UNKNOWN = '3fa85f64-5717-4562-b3fc-2c963f66afa6';
const P = {}; // process ids: main (signed, archived), bare (no documents), person (PERSON initiator)
let fileCoords, fileTags, signers, signedFileId, completedProcess, records;

describe('Sign API v2 against its contract', () => {
  before(async () => {
    assert.ok(SIGN_AS_SIGNER, 'SIGNET_SIGN_AS_SIGNER names tests/tools/sign_as_signer');
    dataDir = await makeDir();
    const org = await signetJson(['admin', 'org', 'create', '--name', 'Contract', '--data', dataDir]);
    orgId = org.id;
    const clients = {};
    for (const [k, scopes] of [
      ['full', 'sswp:process:create sswp:process:read sswp:process:read:all'],
      ['readOnly', 'sswp:process:read'],
      ['createOnly', 'sswp:process:create'],
    ])
      clients[k] = await signetJson(['admin', 'client', 'create', '--org', orgId, '--scopes', scopes,
        '--data', dataDir]);
    server = await startServer(dataDir, ['--job-interval', '0', '--max-body', String(MAX_BODY)]);
    for (const k of Object.keys(clients)) tokens[k] = await token(clients[k]);
    signetDocs = await (await fetch(`${server.base}/system/api-docs`)).json();
  });

  after(async () => {
    if (server) {
      const { code, signal, log } = await server.stop();
      if (code !== 0) console.error(log);
      assert.equal(code, 0, `signet serve exited cleanly (${code ?? signal})`);
    }
    if (dataDir) await removeDir(dataDir);
  });

  it('the schema conversion accepts the contract\'s own request examples', () => {
    for (const op of Object.values(ops)) {
      for (const ex of op.requestExamples) {
        const { errors } = validateRequest(op.requestSchema, ex);
        // Three attach examples leave out `locator`, which FileSignaturePositionInput requires
        // (it is the discriminator); Signet reads a missing locator as COORDINATES
        // (docs/documents.md). Everything else must validate.
        const rest = errors.filter((e) => !/\/signaturePositions\/\d+ must have required property 'locator'/.test(e));
        assert.deepEqual(rest, [], `${op.id} example ${JSON.stringify(ex).slice(0, 200)}`);
      }
    }
  });

  it('create: 201, 208 on an Idempotency-Key replay, 400, 401, 403, 413, 415', async () => {
    const key = randomUUID();
    const r = await call('create', { body: processBody, headers: { 'Idempotency-Key': key }, expect: 201 });
    P.main = r.json.id;
    assert.equal(r.json.status, 'CREATED');
    const again = await call('create', { body: processBody, headers: { 'Idempotency-Key': key }, expect: 208 });
    assert.equal(again.json.id, P.main);
    signers = r.json.invitees.signers.map((s) => s.identification);
    P.bare = (await call('create', { body: { signatureLevel: 'ADVANCED', initiator: { type: 'SIGNER',
      externalIdentifier: 'self', firstName: 'Carla', lastName: 'Chef' } }, expect: 201 })).json.id;
    P.person = (await call('create', { body: { signatureLevel: 'SIMPLE', initiator: { type: 'PERSON',
      externalIdentifier: 'crm-4711', firstName: 'Dora', lastName: 'Draft', email: 'dora@example.com' },
    invitees: { signers: [{ type: 'SIGNER', externalIdentifier: 'crm-5', firstName: 'Emil',
      lastName: 'Ernst' }] } }, expect: 201 })).json.id;

    await call('create', { body: { signatureLevel: 'SIMPLE' }, expect: 400, name: 'Validation' });
    await call('create', { body: '{"initiator":', expect: 400, name: 'MalformedJson' });
    await call('create', { body: processBody, token: null, expect: 401, name: 'Unauthorized' });
    await call('create', { body: processBody, token: 'not-a-token', expect: 401, name: 'Unauthorized' });
    await call('create', { body: processBody, token: 'readOnly', expect: 403, name: 'Forbidden' });
    await call('create', { declaredLength: MAX_BODY + 1, expect: 413, name: 'PayloadTooLarge' });
    await call('create', { body: JSON.stringify(processBody), contentType: 'text/plain', expect: 415,
      name: 'UnsupportedMediaType' });
  });

  it('attach: 201 with COORDINATES and TAG positions, 400, 401, 403, 404, 413', async () => {
    const simple = await corpusBase64('simple-a4.pdf');
    fileCoords = (await call('attach', { params: { processId: P.main }, expect: 201, body: {
      name: 'Offer.pdf', contentType: 'application/pdf', content: simple, externalIdentifier: 'offer',
      signaturePositions: [
        { signer: 'crm-1', locator: 'COORDINATES', pageNumber: 0, positionX: 60, positionY: 600 },
        { signer: 'crm-2', locator: 'COORDINATES', pageNumber: -1, positionX: 300, positionY: 600,
          stickerProvider: 'VISUAL_SIGNATURE_PROVIDER' },
      ] } })).json.fileId;
    fileTags = (await call('attach', { params: { processId: P.main }, expect: 201, body: {
      name: 'Annex.pdf', contentType: 'application/pdf', content: await corpusBase64('tags.pdf'),
      externalIdentifier: 'annex',
      signaturePositions: [
        { signer: 'crm-1', locator: 'TAG' },
        { signer: signers[1], locator: 'TAG', offsetX: -10, offsetY: 20,
          stickerProvider: 'CUSTOM_VISUAL_SIGNATURE_PROVIDER' },
      ] } })).json.fileId;
    await call('attach', { params: { processId: P.person }, expect: 201, body: {
      name: 'Draft.pdf', contentType: 'application/pdf', content: simple,
      signaturePositions: [{ signer: 'crm-5', locator: 'COORDINATES', pageNumber: 0, positionX: 10,
        positionY: 10 }] } });

    const pdf = { name: 'x.pdf', contentType: 'application/pdf', content: simple };
    await call('attach', { params: { processId: P.main }, body: { ...pdf, contentType: 'text/plain' },
      expect: 400, name: 'Validation' });
    await call('attach', { params: { processId: P.main }, expect: 400, name: 'Validation',
      body: { ...pdf, signaturePositions: [{ signer: 'crm-9', locator: 'TAG' }] } });
    await call('attach', { params: { processId: UNKNOWN }, body: pdf, expect: 404, name: 'ProcessNotFound' });
    await call('attach', { params: { processId: 'not-a-uuid' }, body: pdf, expect: 404, name: 'ProcessNotFound' });
    await call('attach', { params: { processId: P.main }, body: pdf, token: null, expect: 401 });
    await call('attach', { params: { processId: P.main }, body: pdf, token: 'readOnly', expect: 403 });
    await call('attach', { params: { processId: P.main }, declaredLength: MAX_BODY + 1, expect: 413,
      name: 'PayloadTooLarge' });
  });

  it('getProcess, getStatus: 200, 401, 403, 404', async () => {
    for (const pid of [P.main, P.bare, P.person]) {
      const p = await call('getProcess', { params: { processId: pid }, expect: 200 });
      assert.equal(p.json.id, pid);
      await call('getStatus', { params: { processId: pid }, expect: 200 });
    }
    const p = await call('getProcess', { params: { processId: P.main }, token: 'readOnly', expect: 200 });
    assert.deepEqual(p.json.fileReferences.map((f) => f.initialFileId), [fileCoords, fileTags]);
    for (const op of ['getProcess', 'getStatus']) {
      await call(op, { params: { processId: UNKNOWN }, expect: 404, name: 'ProcessNotFound' });
      await call(op, { params: { processId: 'nope' }, expect: 404, name: 'ProcessNotFound' });
      await call(op, { params: { processId: P.main }, token: null, expect: 401 });
      await call(op, { params: { processId: P.main }, token: 'createOnly', expect: 403, name: 'Forbidden' });
    }
  });

  it('getFile, getFileContent of the original: 200, 401, 403, 404', async () => {
    for (const fileId of [fileCoords, fileTags, 'offer']) {
      const f = await call('getFile', { params: { processId: P.main, fileId }, expect: 200 });
      assert.equal(f.json.contentType, 'application/pdf');
      const c = await call('getFileContent', { params: { processId: P.main, fileId }, expect: 200 });
      assert.equal(c.bytes.toString('base64'), f.json.content);
    }
    for (const op of ['getFile', 'getFileContent']) {
      await call(op, { params: { processId: P.main, fileId: UNKNOWN }, expect: 404, name: 'FileNotFound' });
      await call(op, { params: { processId: UNKNOWN, fileId: fileCoords }, expect: 404,
        name: 'ProcessNotFound' });
      await call(op, { params: { processId: P.main, fileId: fileCoords }, token: null, expect: 401 });
      await call(op, { params: { processId: P.main, fileId: fileCoords }, token: 'createOnly',
        expect: 403 });
    }
  });

  it('setup: 202, 400, 401, 403, 404', async () => {
    const s = await call('setup', { params: { processId: P.person }, body: { language: 'en-GB',
      backUrl: 'https://example.com/back', successUrl: 'https://example.com/ok', scope: 'x',
      mode: 'DEFAULT' }, expect: 202 });
    assert.equal(s.json.id, P.person);
    await call('setup', { params: { processId: P.person }, body: {}, expect: 202 });
    await call('setup', { params: { processId: P.person }, body: { mode: 'FULLSCREEN' }, expect: 400,
      name: 'Validation' });
    await call('setup', { params: { processId: UNKNOWN }, body: {}, expect: 404, name: 'ProcessNotFound' });
    await call('setup', { params: { processId: P.person }, body: {}, token: null, expect: 401 });
    await call('setup', { params: { processId: P.person }, body: {}, token: 'readOnly', expect: 403 });
  });

  it('release: 200, 208, 400, 401, 403, 404, 409 (Conflict, PreconditionFailed)', async () => {
    await call('release', { params: { processId: P.main }, expect: 409, name: 'Conflict',
      body: { notification: { locale: 'de-CH', suppress: ['ALL'], reminder: { interval: 'P3D' } } } });
    await call('release', { params: { processId: P.bare }, body: {}, expect: 409, name: 'PreconditionFailed' });
    await call('release', { params: { processId: P.main }, body: { validUntil: '2001-01-01T00:00:00Z' },
      expect: 400, name: 'Validation' });
    await call('release', { params: { processId: UNKNOWN }, body: {}, expect: 404, name: 'ProcessNotFound' });
    await call('release', { params: { processId: P.main }, body: {}, token: null, expect: 401 });
    await call('release', { params: { processId: P.main }, body: {}, token: 'readOnly', expect: 403 });

    const validUntil = new Date(Date.now() + 10 * 24 * 3600 * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
    const body = { validUntil, notification: { locale: 'de-CH', suppress: ['COMPLETION'],
      reminder: { interval: 'P3D', beforeExpiry: ['P2D'] } }, signatureMethods: ['CLICK'] };
    const r = await call('release', { params: { processId: P.main }, body, expect: 200 });
    assert.equal(r.json.status, 'PENDING');
    assert.equal(r.json.participants.length, 2);
    const again = await call('release', { params: { processId: P.main }, body, expect: 208 });
    assert.deepEqual(again.json.participants, r.json.participants);
    // Without a body (the contract's request body is optional).
    await call('release', { params: { processId: P.person }, expect: 200 });
  });

  it('open: 200 (TEMPORARY, PERMANENT, skipAuthorization), 400, 401, 403, 404, 409', async () => {
    for (const [personId, body] of [
      ['crm-1', { language: 'en-GB' }],
      [signers[1], { lifecycle: 'PERMANENT', backUrl: 'https://example.com/back' }],
      ['crm-1', { language: 'de-CH', skipAuthorization: true, lifecycle: 'TEMPORARY', mode: 'EMBEDDED' }],
    ]) {
      const o = await call('open', { params: { processId: P.main, personId }, body, expect: 200 });
      assert.match(o.json.url, /^http:\/\/.+\/ui\/open\/|^http:\/\/.+\/ui\/sign\//);
    }
    await call('open', { params: { processId: P.person, personId: 'crm-4711' }, body: {}, expect: 200 });
    await call('open', { params: { processId: P.main, personId: 'crm-1' }, body: { lifecycle: 'FOREVER' },
      expect: 400, name: 'Validation' });
    await call('open', { params: { processId: P.main, personId: 'nobody' }, body: {}, expect: 404,
      name: 'ParticipantNotFound' });
    await call('open', { params: { processId: UNKNOWN, personId: 'crm-1' }, body: {}, expect: 404,
      name: 'ProcessNotFound' });
    await call('open', { params: { processId: P.bare, personId: 'self' }, body: {}, expect: 409,
      name: 'PreconditionFailed' });
    await call('open', { params: { processId: P.main, personId: 'crm-1' }, body: {}, token: null, expect: 401 });
    await call('open', { params: { processId: P.main, personId: 'crm-1' }, body: {}, token: 'createOnly',
      expect: 403 });
  });

  it('setup and attach of a released process: 409 PreconditionFailed', async () => {
    await call('setup', { params: { processId: P.main }, body: {}, expect: 409, name: 'PreconditionFailed' });
    await call('attach', { params: { processId: P.main }, expect: 409, name: 'PreconditionFailed',
      body: { name: 'late.pdf', contentType: 'application/pdf', content: await corpusBase64('simple-a4.pdf') } });
  });

  it('the signers sign: signed files, COMPLETED', async () => {
    assert.deepEqual(await signAs(P.main, signers[0], 'CLICK'), { documents: 2, completed: false });
    let p = await call('getProcess', { params: { processId: P.main }, expect: 200 });
    assert.equal(p.json.invitees.signers[0].status, 'SIGNED');
    assert.deepEqual(await signAs(P.main, signers[1], 'CLICK'), { documents: 2, completed: true });
    p = await call('getProcess', { params: { processId: P.main }, expect: 200 });
    assert.equal(p.json.status, 'COMPLETED');
    completedProcess = p.json;
    const st = await call('getStatus', { params: { processId: P.main }, expect: 200 });
    assert.equal(st.json.status, 'COMPLETED');
    signedFileId = p.json.fileReferences[0].lastSignedFileId;
    assert.ok(signedFileId && signedFileId !== fileCoords, 'lastSignedFileId names a new version');
    const f = await call('getFile', { params: { processId: P.main, fileId: signedFileId }, expect: 200 });
    const c = await call('getFileContent', { params: { processId: P.main, fileId: signedFileId }, expect: 200 });
    assert.equal(c.bytes.toString('base64'), f.json.content);
    assert.ok(c.bytes.includes('/ByteRange'), 'the signed file carries a signature');
  });

  it('getRecords: 200, 401, 403, 409 for a missing process', async () => {
    const r = await call('getRecords', { params: { processId: P.main }, expect: 200 });
    records = r.json;
    const actions = new Set(r.json.records.map((x) => x.action));
    for (const a of ['document', 'release', 'open', 'sign', 'transaction'])
      assert.ok(actions.has(a), `an audit record "${a}"`);
    await call('getRecords', { params: { processId: P.person }, expect: 200 });
    await call('getRecords', { params: { processId: UNKNOWN }, expect: 409, name: 'ProcessNotFound' });
    await call('getRecords', { params: { processId: P.main }, token: null, expect: 401 });
    await call('getRecords', { params: { processId: P.main }, token: 'createOnly', expect: 403 });
  });

  it('findAll: 200 with filters and paging, 400, 401, 403', async () => {
    const all = await call('findAll', { expect: 200 });
    assert.equal(all.json.page.totalElements, 3);
    const page = await call('findAll', { query: [['status', 'CREATED'], ['page', '0'], ['size', '1'],
      ['sort', 'createdDate,ASC']], expect: 200 });
    assert.deepEqual(page.json.content.map((p) => p.id), [P.bare]);
    const done = await call('findAll', { query: { status: 'COMPLETED', validUntilWithin: 'P30D' }, expect: 200 });
    assert.deepEqual(done.json.content.map((p) => p.id), [P.main]);
    const none = await call('findAll', { query: { teamId: UNKNOWN, page: '3' }, expect: 200 });
    assert.equal(none.json.content.length, 0);
    await call('findAll', { query: { size: '21' }, expect: 400, name: 'Validation' });
    await call('findAll', { query: { sort: 'createdDate,sideways' }, expect: 400, name: 'Validation' });
    await call('findAll', { token: null, expect: 401 });
    await call('findAll', { token: 'readOnly', expect: 403, name: 'Forbidden' });
  });

  it('archived after the retention: getFile and getFileContent 410 Gone', async () => {
    await ageBlobs(join(dataDir, 'blobs')); // blobs of the last hour are kept (docs/sign-api.md)
    const later = new Date(Date.now() + 91 * 24 * 3600 * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
    const jobs = await signetJson(['admin', 'jobs', 'run', 'archive', '--data', dataDir, '--now', later]);
    assert.equal(jobs[0].state, 'ran');
    const p = await call('getProcess', { params: { processId: P.main }, expect: 200 });
    assert.ok(p.json.archivedOn, 'archivedOn is set');
    for (const op of ['getFile', 'getFileContent'])
      for (const fileId of [fileCoords, signedFileId])
        await call(op, { params: { processId: P.main, fileId }, expect: 410, name: 'Gone' });
  });

  it('the validator sees wrong values, writeOnly fields and extras in real answers', () => {
    // The checks above pass only if they can fail: the same answers, altered.
    const p = structuredClone(completedProcess);
    p.authorization = 'CODE';
    p.invitees.signers[1].status = 'ASLEEP';
    p.invitees.signers[0].nickname = 'Anni';
    p.fileReferences[0].signaturePositions[0].rotation = 90;
    p.initiator.type = 'ROBOT';
    p.colour = 'blue';
    const v = validateResponse('Process', p);
    assert.deepEqual(v.errors.map((e) => e.split(' ')[0]).sort(),
      ['/authorization', '/initiator/type', '/invitees/signers/1/status']);
    assert.deepEqual(v.extras.sort(), ['/colour', '/fileReferences/0/signaturePositions/0/rotation',
      '/invitees/signers/0/nickname']);
    const rec = structuredClone(records);
    rec.records[0].extras.n = 1; // extras: a map of strings
    rec.records[0].createdDate = 'yesterday';
    assert.deepEqual(validateResponse('AuditSuccessRecordResponse', rec).errors.map((e) => e.split(' ')[0]).sort(),
      ['/records/0/createdDate', '/records/0/extras/n']);
    // The discriminator picks the schema: a SIGNER initiator without lastName would be a valid
    // Person, but Signer requires it.
    const { lastName, ...noLastName } = completedProcess.invitees.signers[0];
    assert.ok(lastName);
    const initiator = { ...noLastName, type: 'SIGNER' };
    assert.ok(validateResponse('Process', { ...completedProcess, initiator }).errors
      .some((e) => e.startsWith("/initiator must have required property 'lastName'")));
  });

  it('a method the path does not have: 405 with an Error and Allow', async () => {
    const res = await fetch(`${server.base}${BASE_PATH}/api/process/${P.main}`, {
      method: 'DELETE', headers: { Authorization: `Bearer ${tokens.full}` } });
    assert.equal(res.status, 405);
    assert.match(res.headers.get('allow') ?? '', /GET/);
    const body = await res.json();
    assert.deepEqual(validateResponse('Error', body).errors, []);
    assert.equal(body.httpStatus, 405);
  });

  it('every status of every operation in the contract was answered, or is listed as not produced', () => {
    const missing = [];
    for (const op of Object.values(ops)) {
      for (const status of Object.keys(op.responses)) {
        const key = `${op.id} ${status}`;
        if (seen.has(key)) {
          assert.ok(!NOT_PRODUCED[key], `${key} is listed as not produced but was answered`);
          continue;
        }
        if (NOT_PRODUCED[key]) {
          // Signet's own description must say so too.
          const d = signetDocs.paths[op.path]?.[op.method.toLowerCase()]?.responses?.[status]?.description ?? '';
          assert.match(d, /Reserved|does not answer/, `Signet's api-docs calls ${key} reserved`);
          continue;
        }
        missing.push(key);
      }
    }
    assert.deepEqual(missing, [], 'contract statuses neither exercised nor listed in NOT_PRODUCED');
  });

  it('extra properties (not in the contract) are all known ones', (t) => {
    const unknown = [...extrasSeen.keys()].filter((k) => !KNOWN_EXTRAS[k]);
    const lines = [...extrasSeen.entries()].map(([k, where]) =>
      `  ${k} (${[...where].join(', ')})${KNOWN_EXTRAS[k] ? `: ${KNOWN_EXTRAS[k]}` : ' — NOT KNOWN'}`);
    t.diagnostic(lines.length ? `warning: properties the contract does not define:\n${lines.join('\n')}`
      : 'no answer had a property the contract does not define');
    const notProduced = Object.entries(NOT_PRODUCED).map(([k, why]) => `  ${k}: ${why}`);
    t.diagnostic(`contract statuses Signet does not produce:\n${notProduced.join('\n')}`);
    const extensions = [...seen.keys()].filter((k) => {
      const [id, status] = k.split(' ');
      return !ops[id].responses[status];
    });
    t.diagnostic(`statuses answered beyond the contract (documented in /system/api-docs): ${extensions.sort().join(', ')}`);
    assert.deepEqual(unknown, [], 'every extra property is listed in KNOWN_EXTRAS');
  });
});
