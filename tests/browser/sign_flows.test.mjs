// Signer flows end to end in a real browser (docs/signer-pages.md, docs/notify.md). The server
// runs with --dev-outbox and the public URL http://localhost:PORT; the test reads invitations
// and one-time codes from the dev outbox (GET /ui/api/outbox, and the /ui/outbox page) as a
// developer would, not from the database:
//   - sample 1: create → attach → release (ADVANCED, signatureMethods ["SMS"], notification
//     locale) → open the invitation's link from the outbox page → authorize with the code from
//     the outbox → sign with an SMS code → download → pdfsig (NSS db trusting only the
//     instance's root): "Signature is Valid." and "Certificate is Trusted."; the downloaded
//     file on the verification page; screenshots of both pages at 390 and 1280 px;
//   - two signers one after the other (the second sees the first as signed; COMPLETED);
//   - a process that expired while its page was open (expiry job run with --now);
//   - five wrong codes lock the code, a new code works;
//   - the 30-second Open Request code works once, then the page asks for authorization;
//   - EMBEDDED in a cross-site iframe of another origin (authorize and sign inside the
//     frame), and a DEFAULT-mode page refusing to be framed.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import {
  CORPUS,
  SIGNET_BIN,
  imagesLoaded,
  launchBrowser,
  makeDir,
  openPage,
  removeDir,
  runSignet,
  screenshots,
  startServer,
} from './lib/harness.mjs';

const TIMEOUT = 120_000; // an upper bound for slow (sanitizer) builds, not a timing assertion
const SHOTS = process.env.SIGNET_SCREENSHOT_DIR || join(dirname(SIGNET_BIN), 'screenshots');

let dir;
let server;
let publicUrl;
let browser;
let client;
let token; // {value, at}
let parent; // the integrator's site on another origin: {base, close()}

function run(cmd, args, options = {}) {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { maxBuffer: 16 << 20, ...options }, (err, stdout, stderr) => {
      if (err && err.code === 'ENOENT') reject(err);
      else resolve({ code: err ? err.code : 0, stdout, stderr });
    });
  });
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** A tiny site on 127.0.0.1 (another site than localhost) that frames a URL: /frame?src=URL. */
function startParent() {
  const escape = (s) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
  const srv = createServer((req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    res.setHeader('Content-Type', 'text/html; charset=utf-8');
    if (url.pathname === '/frame') {
      res.end(`<!doctype html><html lang="en"><title>CRM</title><h1>CRM case 1</h1>
<iframe id="signet" title="Signet" src="${escape(url.searchParams.get('src') || '')}"
 width="1100" height="1400"></iframe>`);
    } else if (url.pathname === '/back') {
      res.end('<!doctype html><html lang="en"><title>CRM</title><h1 id="back">Back in the CRM</h1>');
    } else if (url.pathname === '/favicon.ico') {
      res.statusCode = 204; // the browser asks; an answer keeps its console clean
      res.end();
    } else {
      res.statusCode = 404;
      res.end('not found');
    }
  });
  return new Promise((resolve) => {
    srv.listen(0, '127.0.0.1', () =>
      resolve({ base: `http://127.0.0.1:${srv.address().port}`, close: () => new Promise((r) => srv.close(r)) }));
  });
}

/** An access token, fetched again after a minute (tokens live --token-ttl, 300 s by default,
 * and a slow sanitizer run takes longer than that). */
async function accessToken() {
  if (token && Date.now() - token.at < 60_000) return token.value;
  const r = await fetch(`${server.base}/realms/signet/protocol/openid-connect/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: `grant_type=client_credentials&client_id=${client.client_id}&client_secret=${client.client_secret}`,
  });
  const value = (await r.json()).access_token;
  assert.ok(value, 'an access token');
  token = { value, at: Date.now() };
  return value;
}

async function api(method, path, body) {
  const bearer = await accessToken();
  const r = await fetch(`${server.base}${path}`, {
    method,
    headers: { Authorization: `Bearer ${bearer}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const json = await r.json();
  assert.ok(r.ok, `${method} ${path}: ${r.status} ${JSON.stringify(json)}`);
  return json;
}

const ANNA = { type: 'SIGNER', externalIdentifier: 'crm-a', firstName: 'Anna', lastName: 'Muster',
  email: 'anna@example.com', mobile: '+41791234567' };
const BEAT = { type: 'SIGNER', externalIdentifier: 'crm-b', firstName: 'Beat', lastName: 'Beispiel',
  email: 'beat@example.com' };

/** Create → attach (a box per signer) → release: {id, ids, url(ext)}. */
async function releasedProcess({ level = 'SIMPLE', signers = [ANNA, BEAT], release = {} } = {}) {
  const p = await api('POST', '/system/api/process', {
    signatureLevel: level,
    initiator: { type: 'NON_PERSON', name: 'ERP' },
    invitees: { signers },
  });
  const pdf = await readFile(join(CORPUS, 'simple-a4.pdf'));
  await api('POST', `/system/api/process/${p.id}/attach`, {
    name: 'Offer.pdf',
    contentType: 'application/pdf',
    content: pdf.toString('base64'),
    signaturePositions: signers.map((s, i) => ({
      signer: s.externalIdentifier, pageNumber: 0, positionX: 60 + 240 * i, positionY: 600,
    })),
  });
  const rel = await api('POST', `/system/api/process/${p.id}/release`, release);
  const ids = Object.fromEntries(p.invitees.signers.map((s) => [s.externalIdentifier, s.identification]));
  const url = (ext) => rel.participants.find((x) => x.id === ids[ext]).url;
  return { id: p.id, ids, url };
}

/** The dev outbox's messages, newest first (GET /ui/api/outbox). */
async function outbox() {
  const r = await fetch(`${server.base}/ui/api/outbox`, { headers: { Accept: 'application/json' } });
  assert.equal(r.status, 200);
  return (await r.json()).messages;
}

/** The newest one-time code sent to participant id: {id, code, channel}. */
async function newestCode(participantId) {
  const m = (await outbox()).find((x) => x.participantId === participantId && x.kind === 'CODE');
  assert.ok(m, `a code for ${participantId} in the outbox`);
  const code = m.body.match(/(?<!\d)(\d{6})(?!\d)/);
  assert.ok(code, `a code in the message: ${m.body}`);
  return { id: m.id, code: code[1], channel: m.channel };
}

/** A code sent after the message `before` (the id of the newest code before asking). */
async function codeAfter(participantId, before) {
  const c = await newestCode(participantId);
  assert.notEqual(c.id, before, 'a new code was sent');
  return c;
}

/** Authorizes the signer page (in page or frame) with the code from the outbox. */
async function authorize(scope, participantId) {
  await scope.locator('#authorize').waitFor({ timeout: TIMEOUT });
  const before = (await outbox()).find((x) => x.participantId === participantId && x.kind === 'CODE');
  await scope.locator('#send-code').click();
  await scope.locator('#code-form').waitFor({ timeout: TIMEOUT });
  const { code } = await codeAfter(participantId, before && before.id);
  await scope.locator('#code-input').fill(code);
  await scope.locator('#code-form button[type="submit"]').click();
  await scope.locator('#authorize').waitFor({ state: 'hidden', timeout: TIMEOUT });
}

async function waitForPreview(scope) {
  await scope.locator('#documents img.page-image').first().waitFor({ timeout: TIMEOUT });
  await scope.locator('#documents img.page-image').first().evaluate((img) =>
    img.complete && img.naturalWidth > 0 ? true : new Promise((resolve) => img.addEventListener('load', resolve)));
}

/** pdfsig with an NSS database that trusts only this instance's root. */
async function pdfsig(file, extra = []) {
  return run('pdfsig', ['-nssdir', `sql:${join(dir, 'nss')}`, ...extra, file]);
}

before(async () => {
  dir = await makeDir();
  const org = JSON.parse((await runSignet(['admin', 'org', 'create', '--name', 'Org', '--type', 'CORPORATE',
    '--data', dir, '--log-level', 'error', '--json'])).stdout);
  client = JSON.parse((await runSignet(['admin', 'client', 'create', '--org', org.id, '--scopes',
    'sswp:process:create sswp:process:read sswp:process:read:all', '--data', dir, '--log-level', 'error',
    '--json'])).stdout);
  const port = await freePort();
  publicUrl = `http://localhost:${port}`;
  server = await startServer(dir, ['--listen', `127.0.0.1:${port}`, '--public-url', publicUrl, '--dev-outbox']);
  await accessToken();
  // An NSS database trusting only this instance's root (as tests/api/pades_sign_test.c).
  const root = await (await fetch(`${server.base}/pki/root.pem`)).text();
  await mkdir(join(dir, 'nss'));
  const { writeFile } = await import('node:fs/promises');
  await writeFile(join(dir, 'root.pem'), root);
  assert.equal((await run('certutil', ['-N', '-d', `sql:${join(dir, 'nss')}`, '--empty-password'])).code, 0);
  assert.equal((await run('certutil', ['-A', '-n', 'signet-root', '-t', 'CT,C,C', '-i', join(dir, 'root.pem'),
    '-d', `sql:${join(dir, 'nss')}`])).code, 0);
  parent = await startParent();
  browser = await launchBrowser();
  await mkdir(SHOTS, { recursive: true });
});

after(async () => {
  if (browser) await browser.close();
  if (parent) await parent.close();
  if (server) {
    const { code } = await server.stop();
    assert.equal(code, 0, 'the server exits cleanly');
  }
  if (dir) await removeDir(dir);
});

describe('signer flows', () => {
  test('sample 1: invitation from the outbox, code, SMS signature, pdfsig valid and trusted', { timeout: TIMEOUT * 4 }, async () => {
    const p = await releasedProcess({
      level: 'ADVANCED',
      signers: [ANNA],
      release: { signatureMethods: ['SMS'], notification: { locale: 'fr-CH' } },
    });
    const annaId = p.ids['crm-a'];
    const invite = (await outbox()).find((m) => m.participantId === annaId && m.kind === 'INVITE');
    assert.ok(invite, 'the release queued an invitation');
    assert.equal(invite.locale, 'fr-CH');
    assert.ok(invite.body.includes(p.url('crm-a')), 'the invitation carries the signer\'s link');

    // The dev outbox page: the invitation with a clickable link (screenshots at both widths).
    // The signer's browser prefers French, like the invitation.
    const page = await openPage(browser, { locale: 'fr-CH' });
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(`${publicUrl}/ui/outbox`);
    await page.waitForSelector('body[data-ready="true"]', { timeout: TIMEOUT });
    assert.equal(await page.textContent('h1'), "Boîte d'envoi de développement");
    const card = page.locator(`article.outbox-message[data-id="${invite.id}"]`);
    await card.waitFor({ timeout: TIMEOUT });
    assert.equal(await card.locator('.outbox-recipient').textContent(), invite.recipient);
    const link = card.locator(`a[href="${p.url('crm-a')}"]`);
    assert.equal(await link.count(), 1, 'the participant URL is a link');
    await page.screenshot({ path: join(SHOTS, 'outbox-1280.png'), fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: join(SHOTS, 'outbox-390.png'), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 900 });

    // Open: follow the link in the message.
    await Promise.all([page.waitForURL(p.url('crm-a'), { timeout: TIMEOUT }), link.click()]);
    await page.waitForSelector('body[data-ready="true"]', { timeout: TIMEOUT });
    assert.equal(await page.getAttribute('html', 'lang'), 'fr', 'the browser\'s language (fr-CH)');
    assert.equal(await page.textContent('#authorize-title'), 'Confirmez votre identité');
    assert.match(await page.textContent('#authorize-text'), /par SMS au \+41/);

    // Authorize with the code from the outbox (by SMS: the signer has a mobile).
    await authorize(page, annaId);
    assert.equal((await newestCode(annaId)).channel, 'SMS');
    await waitForPreview(page);
    const methods = await page.locator('#methods button').evaluateAll((b) => b.map((x) => x.dataset.method));
    assert.deepEqual(methods, ['SMS'], 'only the released method');

    // Sign with a second code by SMS.
    const authCode = await newestCode(annaId);
    await page.click('#methods button[data-method="SMS"]');
    await page.locator('#sms-form').waitFor({ timeout: TIMEOUT });
    const signCode = await codeAfter(annaId, authCode.id);
    assert.equal(signCode.channel, 'SMS');
    await page.fill('#sms-input', signCode.code);
    await page.click('#sms-form button[type="submit"]');
    await page.locator('#final-title').filter({ hasText: /Vous avez signé|Ce processus est terminé/ }).waitFor({ timeout: TIMEOUT });
    assert.match(await page.textContent('#signer-list'), /Anna Muster \(vous\)\s*✓ Signé/);

    // Download, and pdfsig trusting only this instance's root.
    const [download] = await Promise.all([
      page.waitForEvent('download', { timeout: TIMEOUT }),
      page.click('a.download-signed'),
    ]);
    const saved = join(dir, 'sample1-signed.pdf');
    await download.saveAs(saved);
    const sig = await pdfsig(saved);
    assert.match(sig.stdout, /Signature is Valid\./, sig.stdout + sig.stderr);
    assert.match(sig.stdout, /Anna Muster/);
    const trust = await pdfsig(saved, ['-no-ocsp']); // docs/signing.md "Validators"
    assert.match(trust.stdout, /Certificate is Trusted\./, trust.stdout + trust.stderr);
    assert.deepEqual(page.problems(), []);
    const status = await api('GET', `/system/api/process/${p.id}`);
    assert.equal(status.status, 'COMPLETED');

    // The same file on the verification page (screenshots at both widths).
    // (in Italian: a browser preferring it-CH).
    const verify = await openPage(browser, { locale: 'it-CH' });
    await verify.setViewportSize({ width: 1280, height: 900 });
    await verify.goto(`${publicUrl}/ui/verify`);
    await verify.waitForSelector('body[data-ready="true"]', { timeout: TIMEOUT });
    assert.equal(await verify.textContent('h1'), 'Verificare un PDF firmato');
    await verify.setInputFiles('input[type="file"]', saved);
    const verdict = verify.locator('#verdict');
    await verdict.waitFor({ timeout: TIMEOUT });
    assert.match(await verdict.textContent(), /Le firme sono valide/);
    assert.match(await verify.textContent('main'), /Firma 1: Anna Muster/);
    await verify.screenshot({ path: join(SHOTS, 'verify-valid-1280.png'), fullPage: true });
    await verify.setViewportSize({ width: 390, height: 844 });
    await verify.screenshot({ path: join(SHOTS, 'verify-valid-390.png'), fullPage: true });
    assert.deepEqual(verify.problems(), []);
  });

  test('two signers one after the other; the process completes', { timeout: TIMEOUT * 4 }, async () => {
    const p = await releasedProcess();
    const a = await openPage(browser);
    await a.goto(p.url('crm-a'));
    await a.waitForSelector('body[data-ready="true"]', { timeout: TIMEOUT });
    await authorize(a, p.ids['crm-a']);
    await a.click('#methods button[data-method="CLICK"]');
    await a.locator('#final-title').filter({ hasText: 'You have signed' }).waitFor({ timeout: TIMEOUT });
    assert.equal((await api('GET', `/system/api/process/${p.id}`)).status, 'PENDING');

    const b = await openPage(browser, { locale: 'it-CH' });
    await b.goto(p.url('crm-b'));
    await b.waitForSelector('body[data-ready="true"]', { timeout: TIMEOUT });
    assert.equal(await b.textContent('#authorize-title'), 'Confermate la vostra identità');
    await authorize(b, p.ids['crm-b']);
    const list = await b.textContent('#signer-list');
    assert.match(list, /Anna Muster\s*✓ Firmato/, 'the second signer sees the first as signed');
    assert.match(list, /Beat Beispiel \(voi\)\s*Non ancora firmato/);
    await b.click('#methods button[data-method="CLICK"]');
    await b.locator('#final').waitFor({ timeout: TIMEOUT });
    await b.locator('#signer-list').filter({ hasText: /Beat Beispiel \(voi\)\s*✓ Firmato/ }).waitFor({ timeout: TIMEOUT });
    const done = await api('GET', `/system/api/process/${p.id}`);
    assert.equal(done.status, 'COMPLETED');
    assert.deepEqual(done.invitees.signers.map((s) => s.status), ['SIGNED', 'SIGNED']);

    const [download] = await Promise.all([b.waitForEvent('download', { timeout: TIMEOUT }),
      b.click('a.download-signed')]);
    const saved = join(dir, 'two-signers.pdf');
    await download.saveAs(saved);
    const sig = await pdfsig(saved);
    assert.equal(sig.stdout.match(/Signature is Valid\./g)?.length, 2, sig.stdout);
    assert.deepEqual(a.problems(), []);
    assert.deepEqual(b.problems(), []);
  });

  test('a process that expires while its page is open shows the expired state', { timeout: TIMEOUT * 2 }, async () => {
    const validUntil = new Date(Date.now() + 2 * 86400_000).toISOString().replace(/\.\d+Z$/, 'Z');
    const p = await releasedProcess({ release: { validUntil } });
    const page = await openPage(browser);
    await page.goto(p.url('crm-a'));
    await page.waitForSelector('body[data-ready="true"]', { timeout: TIMEOUT });
    await authorize(page, p.ids['crm-a']);
    await page.locator('#sign').waitFor({ timeout: TIMEOUT });
    await imagesLoaded(page, TIMEOUT); // the signer has the document in front of them
    // The expiry job, as if it ran three days later (the server keeps running).
    const later = new Date(Date.now() + 3 * 86400_000).toISOString().replace(/\.\d+Z$/, 'Z');
    await runSignet(['admin', 'jobs', 'run', 'expiry', '--now', later, '--data', dir, '--log-level', 'error']);
    assert.equal((await api('GET', `/system/api/process/${p.id}`)).status, 'EXPIRED');
    await page.reload();
    await page.waitForSelector('body[data-ready="true"]', { timeout: TIMEOUT });
    assert.equal(await page.textContent('#final-title'), 'This process has expired');
    assert.ok(await page.locator('#sign').isHidden(), 'nothing to sign');
    assert.ok(await page.locator('#authorize').isHidden());
    await page.setViewportSize({ width: 390, height: 844 });
    await screenshots(page, 'sign-expired', SHOTS);
    assert.deepEqual(page.problems(), []);
  });

  test('five wrong codes lock the code; a new code works', { timeout: TIMEOUT * 2 }, async () => {
    const p = await releasedProcess();
    const id = p.ids['crm-b'];
    const page = await openPage(browser);
    await page.goto(p.url('crm-b'));
    await page.waitForSelector('body[data-ready="true"]', { timeout: TIMEOUT });
    await page.click('#send-code');
    await page.locator('#code-form').waitFor({ timeout: TIMEOUT });
    const first = await newestCode(id);
    const wrong = String((Number(first.code) + 1) % 1_000_000).padStart(6, '0');
    for (let i = 1; i <= 5; i++) {
      const answer = page.waitForResponse((r) => r.url().endsWith('/ui/api/session/authorize'));
      await page.fill('#code-input', wrong);
      await page.click('#code-form button[type="submit"]');
      assert.equal((await answer).status(), i < 5 ? 400 : 409);
      await page.locator('#error').waitFor({ timeout: TIMEOUT });
    }
    assert.match(await page.textContent('#error-message'), /locked/);
    // Even the right code is refused now.
    const refused = page.waitForResponse((r) => r.url().endsWith('/ui/api/session/authorize'));
    await page.fill('#code-input', first.code);
    await page.click('#code-form button[type="submit"]');
    assert.equal((await refused).status(), 409);
    assert.ok(await page.locator('#documents').isHidden());
    await screenshots(page, 'sign-locked', SHOTS);

    // A new code (no 30-second wait after a lock) authorizes.
    assert.equal(await page.textContent('#send-code'), 'Send a new code');
    const sent = page.waitForResponse((r) => r.url().endsWith('/ui/api/session/code'));
    await page.click('#send-code');
    assert.equal((await sent).status(), 200);
    const second = await codeAfter(id, first.id);
    await page.fill('#code-input', second.code);
    await page.click('#code-form button[type="submit"]');
    await page.locator('#sign').waitFor({ timeout: TIMEOUT });
    assert.ok(await page.locator('#error').isHidden(), 'the lock message is gone');
    const expected = (x) => /HTTP 40[09]: POST .*\/ui\/api\/session\/authorize/.test(x)
      || /Failed to load resource: the server responded with a status of 40[09]/.test(x);
    assert.deepEqual(page.problems().filter((x) => !expected(x)), []);
  });

  test('the Open Request code authorizes once; the second time the page asks for a code', { timeout: TIMEOUT * 2 }, async () => {
    const p = await releasedProcess();
    const open = await api('POST', `/system/api/process/${p.id}/open/crm-a`, { skipAuthorization: true });
    assert.match(open.url, /\/ui\/open\/[^?]+\?code=/);
    const first = await openPage(browser);
    await first.goto(open.url);
    await first.waitForSelector('body[data-ready="true"]', { timeout: TIMEOUT });
    await first.locator('#sign').waitFor({ timeout: TIMEOUT });
    assert.ok(await first.locator('#authorize').isHidden(), 'authorized by the link\'s code');
    await waitForPreview(first);

    // Another browser with the same URL: the code is used up, the normal authorization applies.
    const second = await openPage(browser);
    await second.goto(open.url);
    await second.waitForSelector('body[data-ready="true"]', { timeout: TIMEOUT });
    await second.locator('#authorize').waitFor({ timeout: TIMEOUT });
    assert.ok(await second.locator('#documents').isHidden(), 'no documents before authorization');
    await authorize(second, p.ids['crm-a']);
    await second.locator('#sign').waitFor({ timeout: TIMEOUT });
    assert.deepEqual(first.problems(), []);
    assert.deepEqual(second.problems(), []);
  });

  test('EMBEDDED: authorize and sign inside another site\'s iframe', { timeout: TIMEOUT * 3 }, async () => {
    const p = await releasedProcess();
    const open = await api('POST', `/system/api/process/${p.id}/open/crm-a`, {
      mode: 'EMBEDDED', backUrl: `${parent.base}/back`, successUrl: `${parent.base}/back?done=1`,
    });
    const page = await openPage(browser);
    await page.setViewportSize({ width: 1280, height: 1000 });
    const framed = page.waitForResponse((r) => r.url() === open.url, { timeout: TIMEOUT });
    await page.goto(`${parent.base}/frame?src=${encodeURIComponent(open.url)}`);
    const response = await framed;
    const headers = response.headers();
    const cookie = (await response.headerValue('set-cookie')) || '';
    assert.match(headers['content-security-policy'], new RegExp(`frame-ancestors ${parent.base}(;|$)`));
    assert.equal(headers['x-frame-options'], undefined);
    // http://localhost is a secure context: the cookie can be Secure, so SameSite=None.
    assert.match(cookie, /SameSite=None/);
    assert.match(cookie, /Secure/);
    assert.match(cookie, /Partitioned/);

    const frame = page.frameLocator('#signet');
    await frame.locator('body[data-ready="true"]').waitFor({ timeout: TIMEOUT });
    await authorize(frame, p.ids['crm-a']);
    await waitForPreview(frame);
    assert.equal(await frame.locator('#back-link').getAttribute('href'), `${parent.base}/back`);
    await frame.locator('#methods button[data-method="CLICK"]').click();
    await frame.locator('#final-title').filter({ hasText: 'You have signed' }).waitFor({ timeout: TIMEOUT });
    assert.equal(await frame.locator('#final-continue').getAttribute('href'), `${parent.base}/back?done=1`);
    await screenshots(page, 'sign-embedded', SHOTS);
    const status = await api('GET', `/system/api/process/${p.id}`);
    assert.equal(status.invitees.signers.find((s) => s.externalIdentifier === 'crm-a').status, 'SIGNED');
    assert.deepEqual(page.problems(), []);
  });

  test('DEFAULT mode: the page refuses to be framed', { timeout: TIMEOUT }, async () => {
    const p = await releasedProcess();
    const page = await openPage(browser);
    const refused = page.waitForEvent('console', {
      predicate: (m) => /frame-ancestors|X-Frame-Options/.test(m.text()), timeout: TIMEOUT,
    });
    const framed = page.waitForResponse((r) => r.url() === p.url('crm-b'), { timeout: TIMEOUT });
    await page.goto(`${parent.base}/frame?src=${encodeURIComponent(p.url('crm-b'))}`);
    const headers = (await framed).headers();
    assert.match(headers['content-security-policy'], /frame-ancestors 'none'/);
    assert.equal(headers['x-frame-options'], 'DENY');
    assert.match((await refused).text(), /frame-ancestors 'none'|deny/i);
    const frame = page.frames().find((f) => f !== page.mainFrame());
    assert.ok(frame, 'the iframe exists');
    assert.equal(await frame.locator('body[data-ready="true"]').count(), 0, 'no signer page inside');
  });
});
