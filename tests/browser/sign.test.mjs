// The signer page in a real browser (docs/signer-pages.md): an integrator creates a process
// through the Sign API, attaches a PDF with a signature position and releases it; the signer
// opens the participant URL, asks for the one-time code (read here from the notification
// outbox in the server's SQLite file, where a server without an e-mail gateway keeps it),
// confirms it, sees the page preview with the signature box highlighted, signs with CLICK and
// downloads the signed PDF, which pdfsig validates. Also: the page's headers (CSP, no
// framing), no console errors (so no CSP violation), the state of the signers, a clear page
// for an invalid link, a declined signer, and screenshots at 390 and 1280 px.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import {
  CORPUS,
  INSERT_ORDER,
  SIGNET_BIN,
  launchBrowser,
  makeDir,
  openPage,
  removeDir,
  runSignet,
  screenshots,
  startServer,
  testSql,
} from './lib/harness.mjs';
import { readFile } from 'node:fs/promises';

const TIMEOUT = 120_000; // an upper bound for slow (sanitizer) builds, not a timing assertion
const SHOTS = process.env.SIGNET_SCREENSHOT_DIR || join(dirname(SIGNET_BIN), 'screenshots');

let dir;
let server;
let browser;
let token;

function run(cmd, args) {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      // pdfsig exits non-zero for untrusted certificates; the caller reads its text.
      if (err && err.code === 'ENOENT') reject(err);
      else resolve({ code: err ? err.code : 0, stdout, stderr });
    });
  });
}

async function api(method, path, body) {
  const r = await fetch(`${server.base}${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const json = await r.json();
  assert.ok(r.ok, `${method} ${path}: ${r.status} ${JSON.stringify(json)}`);
  return json;
}

/** A released SIMPLE process with signers Anna (crm-a) and Beat (crm-b): their page URLs. */
async function releasedProcess(release = {}) {
  const p = await api('POST', '/system/api/process', {
    signatureLevel: 'SIMPLE',
    initiator: { type: 'NON_PERSON', name: 'ERP' },
    invitees: {
      signers: [
        { type: 'SIGNER', externalIdentifier: 'crm-a', firstName: 'Anna', lastName: 'Muster', email: 'anna@example.com' },
        { type: 'SIGNER', externalIdentifier: 'crm-b', firstName: 'Beat', lastName: 'Beispiel', email: 'beat@example.com' },
      ],
    },
  });
  const pdf = await readFile(join(CORPUS, 'simple-a4.pdf'));
  await api('POST', `/system/api/process/${p.id}/attach`, {
    name: 'Offer.pdf',
    contentType: 'application/pdf',
    content: pdf.toString('base64'),
    signaturePositions: [
      { signer: 'crm-a', pageNumber: 0, positionX: 60, positionY: 600 },
      { signer: 'crm-b', pageNumber: 0, positionX: 300, positionY: 600 },
    ],
  });
  const rel = await api('POST', `/system/api/process/${p.id}/release`, release);
  const ids = Object.fromEntries(p.invitees.signers.map((s) => [s.externalIdentifier, s.identification]));
  const url = (ext) => rel.participants.find((x) => x.id === ids[ext]).url;
  return { id: p.id, ids, a: url('crm-a'), b: url('crm-b') };
}

/** The newest one-time code sent to participant id (from the outbox). */
async function outboxCode(participantId) {
  const stdout = await testSql(dir,
    `SELECT body FROM outbox WHERE participant_id = '${participantId}' AND kind = 'CODE' ORDER BY created_at DESC, ${INSERT_ORDER} DESC LIMIT 1`);
  const m = stdout.match(/(?<!\d)(\d{6})(?!\d)/);
  assert.ok(m, `a code in the outbox message: ${stdout}`);
  return m[1];
}

async function authorize(page, participantId) {
  await page.locator('#authorize').waitFor({ timeout: TIMEOUT });
  await page.click('#send-code');
  await page.locator('#code-form').waitFor({ timeout: TIMEOUT });
  await page.fill('#code-input', await outboxCode(participantId));
  await page.click('#code-form button[type="submit"]');
}

before(async () => {
  dir = await makeDir();
  const org = JSON.parse((await runSignet(['admin', 'org', 'create', '--name', 'Org', '--type', 'CORPORATE',
    '--data', dir, '--log-level', 'error', '--json'])).stdout);
  const client = JSON.parse((await runSignet(['admin', 'client', 'create', '--org', org.id, '--scopes',
    'sswp:process:create sswp:process:read sswp:process:read:all', '--data', dir, '--log-level', 'error',
    '--json'])).stdout);
  server = await startServer(dir);
  const r = await fetch(`${server.base}/realms/signet/protocol/openid-connect/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: `grant_type=client_credentials&client_id=${client.client_id}&client_secret=${client.client_secret}`,
  });
  token = (await r.json()).access_token;
  assert.ok(token);
  browser = await launchBrowser();
  await mkdir(SHOTS, { recursive: true });
});

after(async () => {
  if (browser) await browser.close();
  if (server) {
    const { code } = await server.stop();
    assert.equal(code, 0, 'the server exits cleanly');
  }
  if (dir) await removeDir(dir);
});

describe('signer page', () => {
  test('authorize with the code, see the box, sign, download a valid signed PDF', { timeout: TIMEOUT * 3 }, async () => {
    const p = await releasedProcess();
    const page = await openPage(browser);
    await page.setViewportSize({ width: 1280, height: 900 });
    const response = await page.goto(p.a);
    const headers = response.headers();
    assert.match(headers['content-security-policy'], /script-src 'self'/);
    assert.doesNotMatch(headers['content-security-policy'], /unsafe-inline/);
    assert.match(headers['content-security-policy'], /frame-ancestors 'none'/);
    assert.equal(headers['x-frame-options'], 'DENY');
    assert.equal(headers['referrer-policy'], 'no-referrer');
    await page.waitForSelector('body[data-ready="true"]', { timeout: TIMEOUT });
    assert.match(await page.textContent('#authorize-text'), /e-mail to a•••@example\.com/);
    await screenshots(page, 'sign-authorize', SHOTS);

    await authorize(page, p.ids['crm-a']);
    await page.locator('#documents img.page-image').waitFor({ timeout: TIMEOUT });
    await page.waitForFunction(() => {
      const img = document.querySelector('#documents img.page-image');
      return img && img.complete && img.naturalWidth > 0;
    }, null, { timeout: TIMEOUT });
    assert.equal(await page.locator('.signature-box').count(), 1, 'only the signer\'s own box');
    const box = await page.locator('.signature-box').boundingBox();
    const img = await page.locator('img.page-image').boundingBox();
    // The box sits at x = 60 pt of a 595 pt wide page.
    assert.ok(Math.abs((box.x - img.x) / img.width - 60 / 595) < 0.01, 'box placed by its coordinates');
    assert.match(await page.textContent('#signer-list'), /Anna Muster \(you\)/);
    await page.screenshot({ path: join(SHOTS, 'sign-ready-1280.png'), fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: join(SHOTS, 'sign-ready-390.png'), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 900 });

    assert.ok(await page.locator('#back-link').isHidden(), 'no backUrl: no Back link');
    const previewBefore = await page.getAttribute('img.page-image', 'src');
    await page.click('#methods button[data-method="CLICK"]');
    await page.locator('#final-title').filter({ hasText: 'You have signed' }).waitFor({ timeout: TIMEOUT });
    assert.match(await page.textContent('#signer-list'), /Anna Muster \(you\)\s*✓ Signed/);
    assert.match(await page.textContent('#signer-list'), /Beat Beispiel\s*Not signed yet/);
    assert.notEqual(await page.getAttribute('img.page-image', 'src'), previewBefore,
      'the preview now shows the signed file');
    assert.ok(await page.locator('#final-continue').isHidden(), 'no successUrl: no Continue link');
    await page.waitForFunction(() => {
      const img = document.querySelector('#documents img.page-image');
      return img && img.complete && img.naturalWidth > 0;
    }, null, { timeout: TIMEOUT });
    await page.screenshot({ path: join(SHOTS, 'sign-signed-1280.png'), fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: join(SHOTS, 'sign-signed-390.png'), fullPage: true });

    const [download] = await Promise.all([
      page.waitForEvent('download', { timeout: TIMEOUT }),
      page.click('a.download-signed'),
    ]);
    assert.equal(download.suggestedFilename(), 'Offer.pdf');
    const saved = join(dir, 'signed-by-page.pdf');
    await download.saveAs(saved);
    const sig = await run('pdfsig', [saved]);
    assert.match(sig.stdout, /Signature is Valid\./, sig.stdout + sig.stderr);
    assert.match(sig.stdout, /Anna Muster/);
    assert.deepEqual(page.problems(), []);

    const status = await api('GET', `/system/api/process/${p.id}`);
    assert.equal(status.invitees.signers.find((s) => s.externalIdentifier === 'crm-a').status, 'SIGNED');
  });

  test('decline with a reason, then a clear page', { timeout: TIMEOUT * 2 }, async () => {
    const p = await releasedProcess();
    const page = await openPage(browser, { locale: 'de-CH' });
    await page.goto(p.b);
    await page.waitForSelector('body[data-ready="true"]', { timeout: TIMEOUT });
    assert.equal(await page.textContent('#authorize-title'), 'Bestätigen Sie, dass Sie es sind');
    await authorize(page, p.ids['crm-b']);
    await page.locator('#sign').waitFor({ timeout: TIMEOUT });
    await page.click('#decline summary');
    await page.fill('#decline-reason', 'Der Preis stimmt nicht.');
    await page.click('#decline-form button[type="submit"]');
    await page.locator('#final-title').filter({ hasText: 'Sie haben die Unterschrift abgelehnt' })
      .waitFor({ timeout: TIMEOUT });
    assert.ok(await page.locator('#sign').isHidden());
    await screenshots(page, 'sign-declined', SHOTS);
    assert.deepEqual(page.problems(), []);
    const status = await api('GET', `/system/api/process/${p.id}`);
    assert.equal(status.invitees.signers.find((s) => s.externalIdentifier === 'crm-b').status, 'DECLINED');
  });

  test('the process language (notification.locale de-CH) makes the page and the server\'s refusals German', { timeout: TIMEOUT * 2 }, async () => {
    const p = await releasedProcess({ notification: { locale: 'de-CH' } });
    const page = await openPage(browser, { locale: 'en-US' }); // the process's language wins
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(p.b);
    await page.waitForSelector('body[data-ready="true"]', { timeout: TIMEOUT });
    assert.equal(await page.locator('html').getAttribute('lang'), 'de');
    await page.click('#send-code');
    await page.locator('#code-form').waitFor({ timeout: TIMEOUT });
    const code = await outboxCode(p.ids['crm-b']);
    const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
    const answer = page.waitForResponse((r) => r.url().endsWith('/ui/api/session/authorize'));
    await page.fill('#code-input', wrong);
    await page.click('#code-form button[type="submit"]');
    const refused = await (await answer).json();
    assert.equal(refused.reason, 'code.wrong');
    assert.equal(refused.message, 'The code is wrong; 4 more tries.', 'the server keeps its English');
    await page.locator('#error').waitFor({ timeout: TIMEOUT });
    assert.equal(await page.textContent('#error-message'), 'Der Code ist falsch. Verbleibende Versuche: 4.');
    // The right code still works, and the message goes.
    await page.fill('#code-input', code);
    await page.click('#code-form button[type="submit"]');
    await page.locator('#sign').waitFor({ timeout: TIMEOUT });
    assert.ok(await page.locator('#error').isHidden());
    await screenshots(page, 'sign-wrong-code-de', SHOTS);
    const unexpected = page.problems().filter((x) => !/HTTP 400: POST .*\/ui\/api\/session\/authorize/.test(x)
      && !/Failed to load resource: the server responded with a status of 400/.test(x));
    assert.deepEqual(unexpected, []);
  });

  test('an invalid link shows a clear page', { timeout: TIMEOUT }, async () => {
    const page = await openPage(browser);
    await page.setViewportSize({ width: 390, height: 844 });
    const response = await page.goto(`${server.base}/ui/sign/not-a-valid-token`);
    assert.equal(response.status(), 404);
    await page.waitForSelector('body[data-ready="true"]', { timeout: TIMEOUT });
    assert.equal(await page.textContent('#final-title'), 'This link is not valid');
    await screenshots(page, 'sign-invalid', SHOTS);
    // The page itself (404) and the session call without a session (401) are expected.
    const unexpected = page.problems().filter((x) => !/HTTP 40[14]: GET .*\/ui\/(sign|api\/session)/.test(x)
      && !/Failed to load resource: the server responded with a status of 40[14]/.test(x));
    assert.deepEqual(unexpected, []);
  });
});
