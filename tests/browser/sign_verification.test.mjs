// A signer created with `verification` (GwG online identification; docs/signer-pages.md
// "Identification", docs/sign-api.md "Verification") on the signer page in a real browser:
// after authorization the page explains that an online identification comes first and offers
// no signature method; "Register now" leads to the registration page, the video simulator's
// agent approves with a Swiss passport, and the signer page of the same session then offers
// signing, with the identification report as a second document; signing signs both. GET
// /process reports verifiedOn, the payload and the report's file id. Screenshots at 1280 and
// 390 px.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
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
const MOBILE = '+41795550088';

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

function sixDigits(text) {
  const m = text.match(/(?<!\d)(\d{6})(?!\d)/);
  assert.ok(m, `a code in: ${text}`);
  return m[1];
}

before(async () => {
  dir = await makeDir();
  const org = JSON.parse((await runSignet(['admin', 'org', 'create', '--name', 'Org', '--type', 'CORPORATE',
    '--data', dir, '--log-level', 'error', '--json'])).stdout);
  const client = JSON.parse((await runSignet(['admin', 'client', 'create', '--org', org.id, '--scopes',
    'sswp:process:create sswp:process:read sswp:process:read:all', '--data', dir,
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

describe('signer with an online identification (GwG)', () => {
  test('identification first, then the offer and the report are signed', { timeout: TIMEOUT * 4 }, async () => {
    const p = await api('POST', '/system/api/process', {
      signatureLevel: 'SIMPLE',
      initiator: { type: 'NON_PERSON', name: 'ERP' },
      invitees: {
        signers: [{ type: 'SIGNER', externalIdentifier: 'crm-a', firstName: 'Anna', lastName: 'Muster',
          email: 'anna@example.com', mobile: MOBILE, verification: {} }],
      },
    });
    const pdf = await readFile(join(CORPUS, 'simple-a4.pdf'));
    await api('POST', `/system/api/process/${p.id}/attach`, {
      name: 'Offer.pdf', contentType: 'application/pdf', content: pdf.toString('base64'),
      signaturePositions: [{ signer: 'crm-a', pageNumber: 0, positionX: 60, positionY: 600 }],
    });
    const rel = await api('POST', `/system/api/process/${p.id}/release`, {});
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

    // Not identified: the explanation and the button, no signature method.
    await page.locator('#registration').waitFor({ timeout: TIMEOUT });
    assert.equal((await page.textContent('#registration h3')).trim(), 'First, identify yourself online');
    assert.match(await page.textContent('#registration-text'), /online identification of your person/);
    assert.ok(await page.locator('#methods').isHidden(), 'no method is offered');
    await page.locator('#registration').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(SHOTS, 'sign-verification-missing-1280.png'), fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: join(SHOTS, 'sign-verification-missing-390.png'), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 900 });

    // Register now: the video identification, approved with a Swiss passport.
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
    await agent.fill('#givenName', 'Anna');
    await agent.fill('#familyName', 'Muster');
    await agent.fill('#birthDate', '1985-04-12');
    await agent.selectOption('#docType', 'PASSPORT');
    await agent.fill('#docNumber', 'X7654321');
    await agent.fill('#docExpiry', '2031-01-31');
    await agent.fill('#mobile', MOBILE);
    await agent.click('#approve');
    await agent.waitForFunction(() => document.getElementById('message').textContent.includes('AWAITING_TERMS'),
      null, { timeout: TIMEOUT });
    assert.deepEqual(agent.problems(), []);

    // Back on the signer page of this session: identified, CLICK offered, two documents.
    await page.goto(`${server.base}/ui/session`);
    await page.waitForSelector('body[data-ready="true"]', { timeout: TIMEOUT });
    const click = page.locator('#methods button[data-method="CLICK"]');
    await click.waitFor({ timeout: TIMEOUT });
    assert.ok(await page.locator('#registration').isHidden());
    const status = await api('GET', `/system/api/process/${p.id}`);
    const v = status.invitees.signers[0].verification;
    assert.ok(v.verifiedOn, 'verifiedOn');
    assert.equal(JSON.parse(v.payload).result, 'APPROVED');
    assert.equal(v.files.length, 1);
    assert.equal(status.fileReferences.length, 2, 'the report is a document of the process');
    await click.click();
    await page.locator('#final-title').filter({ hasText: 'You have signed' }).waitFor({ timeout: TIMEOUT });
    await screenshots(page, 'sign-verification-signed', SHOTS);
    assert.deepEqual(page.problems(), []);
    const done = await api('GET', `/system/api/process/${p.id}`);
    assert.equal(done.invitees.signers[0].status, 'SIGNED');
  });
});
