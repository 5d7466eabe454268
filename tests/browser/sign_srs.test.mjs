// A QUALIFIED signature on the signer page in a real browser (docs/signer-pages.md,
// "Registration"; docs/srs.md): the signer has no registration, so the page explains it and
// offers no signature method; "Register now" leads to the registration page, the video
// simulator's agent approves (the registered name spelt "MUELLER" for the declared "Müller"),
// the SMS code and the terms (read from the outbox) make it ACTIVE, "Back to the service" leads
// to the signer page of the same session, which now offers APP; this test plays the app and
// signs. The certificate carries the registered name (pdfsig), certificateMatch is MATCH.
// Screenshots at 1280 and 390 px.
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
  screenshots,
  startServer,
  testSql,
} from './lib/harness.mjs';

const TIMEOUT = 120_000; // an upper bound for slow (sanitizer) builds, not a timing assertion
const SHOTS = process.env.SIGNET_SCREENSHOT_DIR || join(dirname(SIGNET_BIN), 'screenshots');
const MOBILE = '+41795550077';

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

function sql(query) {
  return testSql(dir, query);
}

/** The newest message of kind to the signer's mobile (outbox). */
async function newestSms(kind) {
  const body = await sql(`SELECT body FROM outbox WHERE recipient = '${MOBILE}' AND kind = '${kind}' ` +
    `ORDER BY created_at DESC, ${INSERT_ORDER} DESC LIMIT 1`);
  assert.ok(body, `an SMS of kind ${kind}`);
  return body;
}

function sixDigits(text) {
  const m = text.match(/(?<!\d)(\d{6})(?!\d)/);
  assert.ok(m, `a code in: ${text}`);
  return m[1];
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
  return String((mac.readUInt32BE(off) & 0x7fffffff) % 1_000_000).padStart(6, '0');
}

before(async () => {
  dir = await makeDir();
  const org = JSON.parse((await runSignet(['admin', 'org', 'create', '--name', 'Org', '--type', 'CORPORATE',
    '--data', dir, '--log-level', 'error', '--json'])).stdout);
  const client = JSON.parse((await runSignet(['admin', 'client', 'create', '--org', org.id, '--scopes',
    'sswp:process:create sswp:process:read sswp:process:read:all srs:registration:read', '--data', dir,
    '--log-level', 'error', '--json'])).stdout);
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

describe('qualified signature with a registration', () => {
  test('no registration: explained; register from the page, come back, sign with the registered name',
    { timeout: TIMEOUT * 4 }, async () => {
      const p = await api('POST', '/system/api/process', {
        signatureLevel: 'QUALIFIED',
        initiator: { type: 'NON_PERSON', name: 'ERP' },
        invitees: {
          signers: [{ type: 'SIGNER', externalIdentifier: 'crm-a', firstName: 'Anna', lastName: 'Müller',
            email: 'anna@example.com', mobile: MOBILE }],
        },
      });
      const pdf = await readFile(join(CORPUS, 'simple-a4.pdf'));
      await api('POST', `/system/api/process/${p.id}/attach`, {
        name: 'Offer.pdf', contentType: 'application/pdf', content: pdf.toString('base64'),
        signaturePositions: [{ signer: 'crm-a', pageNumber: 0, positionX: 60, positionY: 600 }],
      });
      const rel = await api('POST', `/system/api/process/${p.id}/release`, { signatureMethods: ['APP'] });
      const signerId = p.invitees.signers[0].identification;

      const page = await openPage(browser);
      await page.setViewportSize({ width: 1280, height: 900 });
      await page.goto(rel.participants.find((x) => x.id === signerId).url);
      await page.waitForSelector('body[data-ready="true"]', { timeout: TIMEOUT });
      await page.click('#send-code');
      await page.locator('#code-form').waitFor({ timeout: TIMEOUT });
      await page.fill('#code-input', sixDigits(await sql(`SELECT body FROM outbox WHERE participant_id = '${signerId}' `
        + `AND kind = 'CODE' ORDER BY created_at DESC, ${INSERT_ORDER} DESC LIMIT 1`)));
      await page.click('#code-form button[type="submit"]');

      // No registration: the explanation and the button, no signature method.
      await page.locator('#registration').waitFor({ timeout: TIMEOUT });
      assert.equal((await page.textContent('#registration h3')).trim(), 'First, register your identity');
      assert.match(await page.textContent('#registration-text'), /qualified electronic signature \(Swiss law, ZertES\)/);
      assert.ok(await page.locator('#methods').isHidden(), 'no method is offered');
      assert.ok(await page.locator('#registration-no-mobile').isHidden());
      await page.locator('#registration').scrollIntoViewIfNeeded();
      await page.screenshot({ path: join(SHOTS, 'sign-srs-missing-1280.png'), fullPage: true });
      await page.setViewportSize({ width: 390, height: 844 });
      await page.screenshot({ path: join(SHOTS, 'sign-srs-missing-390.png'), fullPage: true });
      await page.setViewportSize({ width: 1280, height: 900 });

      // Register now: the registration page of this organization, video identification.
      await page.click('#registration-start');
      await page.waitForURL(/\/srs\/r\/[A-Za-z0-9_-]{43}$/, { timeout: TIMEOUT });
      const start = page.locator('button[data-method="SRS_VIDEO"]');
      await start.waitFor({ timeout: TIMEOUT });
      await start.click();
      const partner = page.locator('a.button[target="_blank"]');
      await partner.waitFor({ timeout: TIMEOUT });
      const agent = await openPage(browser);
      await agent.goto(await partner.getAttribute('href'));
      await agent.locator('#sim').waitFor({ timeout: TIMEOUT });
      await agent.fill('#givenName', 'ANNA');
      await agent.fill('#familyName', 'MUELLER');
      await agent.fill('#birthDate', '1985-04-12');
      await agent.selectOption('#docType', 'PASSPORT');
      await agent.fill('#docNumber', 'X7654321');
      await agent.fill('#docExpiry', '2031-01-31');
      await agent.fill('#mobile', MOBILE);
      await agent.click('#approve');
      await agent.waitForFunction(() => document.getElementById('message').textContent.includes('AWAITING_TERMS'),
        null, { timeout: TIMEOUT });
      assert.deepEqual(agent.problems(), []);

      await page.reload();
      await page.locator('#send').waitFor({ timeout: TIMEOUT });
      await page.click('#send');
      await page.waitForFunction(() => !document.getElementById('message').hidden, null, { timeout: TIMEOUT });
      await page.fill('#code', sixDigits(await newestSms('CODE')));
      await page.click('#verify');
      await page.waitForFunction(() => /terms/i.test(document.getElementById('message').textContent),
        null, { timeout: TIMEOUT });

      // The terms link from the SMS, opened in the same browser; then back to the signer page.
      const link = (await newestSms('SRS_TERMS')).match(/https?:\/\/\S+\/srs\/terms\/[A-Za-z0-9_-]+/)[0];
      await page.goto(link);
      await page.locator('#accept').waitFor({ timeout: TIMEOUT });
      await page.check('#consent'); // the identity data is read afterwards
      await page.click('#accept');
      const back = page.locator('a.button[href$="/ui/session"]');
      await back.waitFor({ timeout: TIMEOUT });
      await back.click();
      await page.waitForURL(/\/ui\/session$/, { timeout: TIMEOUT });
      await page.waitForSelector('body[data-ready="true"]', { timeout: TIMEOUT });

      // ACTIVE: the explanation is gone and APP is offered; the app is set up and signs.
      const appButton = page.locator('#methods button[data-method="APP"]');
      await appButton.waitFor({ timeout: TIMEOUT });
      assert.ok(await page.locator('#registration').isHidden());
      await appButton.click();
      await page.locator('#app-enrol').waitFor({ timeout: TIMEOUT });
      const key = base32Decode(await page.textContent('#app-secret'));
      const step = Math.floor(Date.now() / 1000 / 30);
      await page.fill('#app-enrol-input', totp(key, step));
      await page.click('#app-enrol-form button[type="submit"]');
      await page.locator('#app-form').waitFor({ timeout: TIMEOUT });
      await page.fill('#app-input', totp(key, step + 1));
      await page.click('#app-form button[type="submit"]');
      await page.locator('#final-title').filter({ hasText: 'You have signed' }).waitFor({ timeout: TIMEOUT });
      await screenshots(page, 'sign-srs-signed', SHOTS);

      const [download] = await Promise.all([
        page.waitForEvent('download', { timeout: TIMEOUT }),
        page.click('a.download-signed'),
      ]);
      const saved = join(dir, 'qualified.pdf');
      await download.saveAs(saved);
      const sig = await run('pdfsig', [saved]);
      assert.match(sig.stdout, /Signature is Valid\./, sig.stdout + sig.stderr);
      assert.match(sig.stdout, /Signer Certificate Common Name: ANNA MUELLER/);
      assert.deepEqual(page.problems(), []);

      const status = await api('GET', `/system/api/process/${p.id}`);
      const signer = status.invitees.signers[0];
      assert.equal(signer.status, 'SIGNED');
      assert.equal(signer.certificateName, 'ANNA MUELLER');
      assert.equal(signer.certificateMatch, 'MATCH', 'Müller and MUELLER are one name');
    });
});
