// Person accounts end to end in a real browser (docs/accounts.md, docs/signer-pages.md). The
// server runs with --dev-outbox and the public URL http://localhost:PORT; the test reads the
// confirmation link from the dev outbox (GET /ui/api/outbox) as a developer would:
//   - a process with "authorization": "ACCOUNT" (one signer, Dora): her page offers no code,
//     only "Sign in with a Signet account";
//   - that link leads to /ui/account?return=<her page>; she creates an account, opens the
//     confirmation link from the outbox (the page confirms the address and drops the token
//     from the address bar), signs in and is sent back to her page, now authorized without
//     any code, and signs with CLICK; no CODE message was ever queued for her.
// Screenshots account-*-1280.png / -390.png in BUILD/screenshots.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { mkdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import {
  CORPUS,
  SIGNET_BIN,
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
const PASSWORD = 'a long enough password';

let dir;
let server;
let publicUrl;
let browser;
let client;

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
  const t = await fetch(`${server.base}/realms/signet/protocol/openid-connect/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: `grant_type=client_credentials&client_id=${client.client_id}&client_secret=${client.client_secret}`,
  });
  const bearer = (await t.json()).access_token;
  const r = await fetch(`${server.base}${path}`, {
    method,
    headers: { Authorization: `Bearer ${bearer}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const json = await r.json();
  assert.ok(r.ok, `${method} ${path}: ${r.status} ${JSON.stringify(json)}`);
  return json;
}

/** What the page recorded as broken, but the 401 of the account session while signed out (the
 * page asks whether it is signed in). */
function problems(page) {
  return page.problems().filter((m) => !/401/.test(m));
}

async function outbox() {
  const r = await fetch(`${server.base}/ui/api/outbox`, { headers: { Accept: 'application/json' } });
  assert.equal(r.status, 200);
  return (await r.json()).messages;
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

describe('person accounts', () => {
  test('ACCOUNT process: create an account, confirm the e-mail, sign without a code', { timeout: TIMEOUT * 3 }, async () => {
    const dora = { type: 'SIGNER', externalIdentifier: 'crm-d', firstName: 'Dora', lastName: 'Dorn',
      email: 'dora@example.com' };
    const p = await api('POST', '/system/api/process', {
      signatureLevel: 'SIMPLE',
      authorization: 'ACCOUNT',
      initiator: { type: 'NON_PERSON', name: 'ERP' },
      invitees: { signers: [dora] },
    });
    const pdf = await readFile(join(CORPUS, 'simple-a4.pdf'));
    await api('POST', `/system/api/process/${p.id}/attach`, {
      name: 'Offer.pdf', contentType: 'application/pdf', content: pdf.toString('base64'),
      signaturePositions: [{ signer: 'crm-d', pageNumber: 0, positionX: 60, positionY: 600 }],
    });
    const rel = await api('POST', `/system/api/process/${p.id}/release`, {});
    const doraId = p.invitees.signers[0].identification;
    const link = rel.participants.find((x) => x.id === doraId).url;
    const signPath = new URL(link).pathname;

    const page = await openPage(browser);
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(link);
    await page.waitForSelector('body[data-ready="true"]', { timeout: TIMEOUT });
    await page.locator('#authorize').waitFor({ timeout: TIMEOUT });
    assert.ok(await page.locator('#account-required').isVisible(), 'the page says an account is needed');
    assert.ok(await page.locator('#send-code').isHidden(), 'no one-time code is offered');
    await screenshots(page, 'account-required', SHOTS);

    // To the account page, which knows where to return.
    await Promise.all([page.waitForURL(/\/ui\/account\?return=/, { timeout: TIMEOUT }), page.click('#account-link')]);
    assert.equal(new URL(page.url()).searchParams.get('return'), signPath);
    await page.locator('#signed-out').waitFor({ timeout: TIMEOUT });
    assert.ok(await page.locator('#return-note').isVisible());
    await page.fill('#new-email', 'Dora@Example.com');
    await page.fill('#new-password', PASSWORD);
    await page.click('#create-form button[type="submit"]');
    await page.locator('#info').filter({ hasText: 'dora@example.com' }).or(
      page.locator('#info').filter({ hasText: 'Dora@Example.com' })).waitFor({ timeout: TIMEOUT });
    await page.screenshot({ path: join(SHOTS, 'account-created-1280.png'), fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: join(SHOTS, 'account-created-390.png'), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 900 });

    // The confirmation link from the outbox, opened in another tab as from a mailbox.
    const mail = (await outbox()).find((m) => m.kind === 'ACCOUNT_VERIFY' && m.recipient === 'dora@example.com');
    assert.ok(mail, 'a confirmation e-mail was queued');
    const verifyUrl = mail.body.match(/https?:\/\/\S+\/ui\/account\?verify=[A-Za-z0-9_-]{43}/);
    assert.ok(verifyUrl, `a link in the e-mail: ${mail.body}`);
    const mailTab = await openPage(browser);
    await mailTab.goto(verifyUrl[0]);
    await mailTab.locator('#info').filter({ hasText: 'is confirmed' }).waitFor({ timeout: TIMEOUT });
    assert.equal(new URL(mailTab.url()).search, '', 'the token left the address bar');
    assert.deepEqual(problems(mailTab), []);
    await mailTab.context().close();

    // Back in the first tab: sign in, and back to the documents, authorized without a code.
    await page.fill('#email', 'dora@example.com');
    await page.fill('#password', PASSWORD);
    await Promise.all([page.waitForURL(link, { timeout: TIMEOUT }), page.click('#signin-form button[type="submit"]')]);
    await page.waitForSelector('body[data-ready="true"]', { timeout: TIMEOUT });
    await page.locator('#documents img.page-image').first().waitFor({ timeout: TIMEOUT });
    assert.ok(await page.locator('#authorize').isHidden(), 'authorized by the account');
    await page.click('#methods button[data-method="CLICK"]');
    await page.locator('#final-title').filter({ hasText: 'You have signed' }).waitFor({ timeout: TIMEOUT });
    await screenshots(page, 'account-signed', SHOTS);
    assert.equal((await outbox()).filter((m) => m.kind === 'CODE').length, 0, 'no code was ever sent');
    const status = await api('GET', `/system/api/process/${p.id}`);
    assert.equal(status.invitees.signers[0].status, 'SIGNED');
    assert.deepEqual(problems(page), []);
  });
});
