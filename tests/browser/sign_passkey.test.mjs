// Signing with a passkey (PASSKEY, WebAuthn) on the signer page in a real browser
// (docs/signer-pages.md, "Passkey"): a CORPORATE tenant's ADVANCED process allows only
// PASSKEY; Chromium's virtual authenticator (CTAP2, internal, user verification) stands in for
// the device. The server runs with the public URL http://localhost:PORT, so the rp id is
// "localhost" (WebAuthn needs a domain, and http://localhost is a secure context). The signer
// authorizes with the one-time code from the outbox, creates a passkey, signs with it; the
// downloaded file is checked with pdfsig, and the authenticator's counter went up.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
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
let publicUrl;

function run(cmd, args) {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      if (err && err.code === 'ENOENT') reject(err);
      else resolve({ code: err ? err.code : 0, stdout, stderr });
    });
  });
}

/** A port that was free a moment ago (the public URL must name the port before the server runs). */
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
  const port = await freePort();
  publicUrl = `http://localhost:${port}`;
  server = await startServer(dir, ['--listen', `127.0.0.1:${port}`, '--public-url', publicUrl]);
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

describe('signer page with a passkey', () => {
  test('create a passkey, sign with it, a valid signed PDF', { timeout: TIMEOUT * 3 }, async () => {
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
    const rel = await api('POST', `/system/api/process/${p.id}/release`, { signatureMethods: ['PASSKEY'] });
    const signerId = p.invitees.signers[0].identification;
    const url = rel.participants.find((x) => x.id === signerId).url;
    assert.ok(url.startsWith(`${publicUrl}/ui/sign/`), url);

    const page = await openPage(browser);
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: {
        protocol: 'ctap2',
        transport: 'internal',
        hasResidentKey: true,
        hasUserVerification: true,
        isUserVerified: true,
        automaticPresenceSimulation: true,
      },
    });
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(url);
    await page.waitForSelector('body[data-ready="true"]', { timeout: TIMEOUT });
    assert.ok(await page.evaluate(() => window.isSecureContext), 'http://localhost is a secure context');
    await page.click('#send-code');
    await page.locator('#code-form').waitFor({ timeout: TIMEOUT });
    await page.fill('#code-input', await outboxCode(signerId));
    await page.click('#code-form button[type="submit"]');

    const button = page.locator('#methods button[data-method="PASSKEY"]');
    await button.waitFor({ timeout: TIMEOUT });
    assert.equal(await page.locator('#methods button').count(), 1, 'only PASSKEY is offered');
    assert.equal((await button.textContent()).trim(), 'Sign with a passkey');
    await button.click();
    await page.locator('#passkey').waitFor({ timeout: TIMEOUT });
    assert.equal(await page.textContent('#passkey-title'), 'Create a passkey');
    await page.screenshot({ path: join(SHOTS, 'sign-passkey-register-1280.png'), fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: join(SHOTS, 'sign-passkey-register-390.png'), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 900 });

    // Registration: the virtual authenticator makes the key; the server checks and stores it.
    await page.click('#passkey-button');
    await page.locator('#passkey-title').filter({ hasText: 'Sign with your passkey' }).waitFor({ timeout: TIMEOUT });
    assert.equal(await page.textContent('#passkey-hint'), 'Your passkey is set up. Now sign with it.');
    const { credentials: made } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
    assert.equal(made.length, 1, 'one credential on the authenticator');
    assert.equal(made[0].rpId, 'localhost');

    // Signing: an assertion over the server's challenge.
    await page.click('#passkey-button');
    await page.locator('#final-title').filter({ hasText: 'You have signed' }).waitFor({ timeout: TIMEOUT });
    const { credentials: used } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
    assert.ok(used[0].signCount > made[0].signCount, 'the signature counter went up');

    const [download] = await Promise.all([
      page.waitForEvent('download', { timeout: TIMEOUT }),
      page.click('a.download-signed'),
    ]);
    const saved = join(dir, 'signed-with-passkey.pdf');
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
    const rec = await api('GET', `/system/api/process/${p.id}/record`);
    assert.ok(JSON.stringify(rec).includes('PASSKEY'), 'the enrolment and sign records name PASSKEY');
  });
});
