// Signing with an authenticator app (APP, TOTP per RFC 6238) on the signer page in a real
// browser (docs/signer-pages.md): an ADVANCED process allows only APP; the signer authorizes
// with the one-time code (read from the outbox), chooses the app, sees the enrolment (QR code
// and key: screenshots at 1280 and 390 px), and this test plays the app: it reads the key the
// page shows and computes the codes with node's HMAC-SHA1. The first code confirms the app,
// the next step's code signs; the downloaded file is checked with pdfsig.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
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
  startServer,
  testSql,
} from './lib/harness.mjs';

const TIMEOUT = 120_000; // an upper bound for slow (sanitizer) builds, not a timing assertion
const SHOTS = process.env.SIGNET_SCREENSHOT_DIR || join(dirname(SIGNET_BIN), 'screenshots');

let dir;
let server;
let browser;
let token;

function run(cmd, args) {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
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

/** RFC 4648 base32 (spaces ignored) to bytes. */
function base32Decode(text) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  const out = [];
  for (const c of text.replace(/[\s=]/g, '').toUpperCase()) {
    const v = alphabet.indexOf(c);
    assert.ok(v >= 0, `base32 character ${c}`);
    value = (value << 5) | v;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/** The authenticator app: TOTP (HMAC-SHA1, 6 digits) of key at time step `step`. */
function totp(key, step) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac('sha1', key).update(counter).digest();
  const off = mac[mac.length - 1] & 0x0f;
  const bin = (mac.readUInt32BE(off) & 0x7fffffff) % 1_000_000;
  return String(bin).padStart(6, '0');
}

async function outboxCode(participantId) {
  const stdout = await testSql(dir,
    `SELECT body FROM outbox WHERE participant_id = '${participantId}' AND kind = 'CODE' ORDER BY created_at DESC, ${INSERT_ORDER} DESC LIMIT 1`);
  const m = stdout.match(/(?<!\d)(\d{6})(?!\d)/);
  assert.ok(m, `a code in the outbox message: ${stdout}`);
  return m[1];
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

describe('signer page with an authenticator app', () => {
  test('enrol by QR code, confirm, sign with the next code, a valid signed PDF', { timeout: TIMEOUT * 3 }, async () => {
    const p = await api('POST', '/system/api/process', {
      signatureLevel: 'ADVANCED',
      initiator: { type: 'NON_PERSON', name: 'ERP' },
      invitees: {
        signers: [{ type: 'SIGNER', externalIdentifier: 'crm-a', firstName: 'Anna', lastName: 'Muster', email: 'anna@example.com' }],
      },
    });
    const pdf = await readFile(join(CORPUS, 'simple-a4.pdf'));
    await api('POST', `/system/api/process/${p.id}/attach`, {
      name: 'Offer.pdf',
      contentType: 'application/pdf',
      content: pdf.toString('base64'),
      signaturePositions: [{ signer: 'crm-a', pageNumber: 0, positionX: 60, positionY: 600 }],
    });
    const rel = await api('POST', `/system/api/process/${p.id}/release`, { signatureMethods: ['APP'] });
    const signerId = p.invitees.signers[0].identification;
    const url = rel.participants.find((x) => x.id === signerId).url;

    const page = await openPage(browser);
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(url);
    await page.waitForSelector('body[data-ready="true"]', { timeout: TIMEOUT });
    await page.click('#send-code');
    await page.locator('#code-form').waitFor({ timeout: TIMEOUT });
    await page.fill('#code-input', await outboxCode(signerId));
    await page.click('#code-form button[type="submit"]');

    const appButton = page.locator('#methods button[data-method="APP"]');
    await appButton.waitFor({ timeout: TIMEOUT });
    assert.equal(await page.locator('#methods button').count(), 1, 'only APP is offered');
    assert.equal((await appButton.textContent()).trim(), 'Sign with an authenticator app');
    await appButton.click();
    await page.locator('#app-enrol').waitFor({ timeout: TIMEOUT });
    await page.waitForFunction(() => {
      const img = document.getElementById('app-qr');
      return img && img.complete && img.naturalWidth > 0;
    }, null, { timeout: TIMEOUT });
    assert.match(await page.getAttribute('#app-qr', 'src'), /^data:image\/svg\+xml;base64,/);
    assert.equal(await page.getAttribute('#app-qr', 'alt'), 'QR code to set up the authenticator app');
    const shown = await page.textContent('#app-secret');
    assert.match(shown, /^([A-Z2-7]{4} ){7}[A-Z2-7]{4}$/, 'the 32-character key in groups of 4');
    const key = base32Decode(shown);
    assert.equal(key.length, 20, '160-bit secret');
    await page.locator('#app-enrol').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(SHOTS, 'sign-app-enrol-1280.png'), fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: join(SHOTS, 'sign-app-enrol-390.png'), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 900 });

    // The app's current code confirms it; a code is used once, so the next step's signs.
    const step = Math.floor(Date.now() / 1000 / 30);
    await page.fill('#app-enrol-input', totp(key, step));
    await page.click('#app-enrol-form button[type="submit"]');
    await page.locator('#app-form').waitFor({ timeout: TIMEOUT });
    assert.ok(await page.locator('#app-enrol').isHidden(), 'the key is not shown any more');
    assert.match(await page.textContent('#app-hint'), /wait for the next code/);
    await page.fill('#app-input', totp(key, step + 1));
    await page.click('#app-form button[type="submit"]');
    await page.locator('#final-title').filter({ hasText: 'You have signed' }).waitFor({ timeout: TIMEOUT });

    const [download] = await Promise.all([
      page.waitForEvent('download', { timeout: TIMEOUT }),
      page.click('a.download-signed'),
    ]);
    const saved = join(dir, 'signed-with-app.pdf');
    await download.saveAs(saved);
    const sig = await run('pdfsig', [saved]);
    assert.match(sig.stdout, /Signature is Valid\./, sig.stdout + sig.stderr);
    assert.match(sig.stdout, /Anna Muster/);
    assert.deepEqual(page.problems(), []);

    const status = await api('GET', `/system/api/process/${p.id}`);
    const signer = status.invitees.signers[0];
    assert.equal(signer.status, 'SIGNED');
    assert.equal(signer.certificateName, 'Anna Muster');
    assert.equal(signer.certificateMatch, 'MATCH');
  });

  test('the enrolment page in German', { timeout: TIMEOUT * 2 }, async () => {
    const p = await api('POST', '/system/api/process', {
      signatureLevel: 'ADVANCED',
      initiator: { type: 'NON_PERSON', name: 'ERP' },
      invitees: { signers: [{ type: 'SIGNER', externalIdentifier: 'x', firstName: 'Beat', lastName: 'Beispiel', email: 'beat@example.com' }] },
    });
    const pdf = await readFile(join(CORPUS, 'simple-a4.pdf'));
    await api('POST', `/system/api/process/${p.id}/attach`, {
      name: 'Offerte.pdf', contentType: 'application/pdf', content: pdf.toString('base64'),
      signaturePositions: [{ signer: 'x', pageNumber: 0, positionX: 60, positionY: 600 }],
    });
    const rel = await api('POST', `/system/api/process/${p.id}/release`, { signatureMethods: ['APP'] });
    const signerId = p.invitees.signers[0].identification;
    const page = await openPage(browser, { locale: 'de-CH' });
    await page.goto(rel.participants.find((x) => x.id === signerId).url);
    await page.waitForSelector('body[data-ready="true"]', { timeout: TIMEOUT });
    await page.click('#send-code');
    await page.locator('#code-form').waitFor({ timeout: TIMEOUT });
    await page.fill('#code-input', await outboxCode(signerId));
    await page.click('#code-form button[type="submit"]');
    await page.click('#methods button[data-method="APP"]');
    await page.locator('#app-enrol').waitFor({ timeout: TIMEOUT });
    assert.equal(await page.textContent('#app-enrol h3'), 'Authenticator-App einrichten');
    // A wrong code is refused with the server's message, and the enrolment stays.
    const key = base32Decode(await page.textContent('#app-secret'));
    const now = Math.floor(Date.now() / 1000 / 30);
    const window = [-1, 0, 1, 2].map((d) => totp(key, now + d));
    let wrong = 0;
    while (window.includes(String(wrong).padStart(6, '0'))) wrong++;
    await page.fill('#app-enrol-input', String(wrong).padStart(6, '0'));
    await page.click('#app-enrol-form button[type="submit"]');
    await page.locator('#error').waitFor({ timeout: TIMEOUT });
    assert.ok(await page.locator('#app-enrol').isVisible());
    const unexpected = page.problems().filter((x) => !/HTTP 400: POST .*\/ui\/api\/session\/app\/confirm/.test(x)
      && !/Failed to load resource: the server responded with a status of 400/.test(x));
    assert.deepEqual(unexpected, []);
  });
});
