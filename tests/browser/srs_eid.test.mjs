// The eID method in a real browser (docs/srs.md "eID"): the service provider creates a
// registration; the end customer chooses the eID wallet, enters the mobile number on the eID
// page, which shows the OpenID4VP request as QR code and deep link; the test's wallet
// simulator (tests/tools/wallet_sim.mjs) reads the request_uri from the page's deep link,
// fetches the request and answers with an SD-JWT VC presentation signed by the test issuer
// (whose JWKS Signet trusts); the page moves on by itself; the customer confirms the SMS code
// and accepts the terms: ACTIVE with the credential's name. Screenshots at 390 and 1280 px.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import {
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
import { makeIssuer, walletAnswer, writeJwks } from '../tools/wallet_sim.mjs';

const TIMEOUT = 120_000; // an upper bound for slow (sanitizer) builds, not a timing assertion
const SHOTS = process.env.SIGNET_SCREENSHOT_DIR || join(dirname(SIGNET_BIN), 'screenshots');
const MOBILE = '+41795550022';

let dir;
let server;
let browser;
let token;
const issuer = makeIssuer();

function sql(query) {
  return testSql(dir, query);
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

async function newestSms(kind) {
  const body = await sql(`SELECT body FROM outbox WHERE recipient = '${MOBILE}' AND kind = '${kind}' ` +
    `ORDER BY created_at DESC, ${INSERT_ORDER} DESC LIMIT 1`);
  assert.ok(body, `an SMS of kind ${kind}`);
  return body;
}

before(async () => {
  dir = await makeDir();
  const jwks = join(dir, 'issuer.jwks.json');
  writeJwks(jwks, [issuer]);
  const org = JSON.parse((await runSignet(['admin', 'org', 'create', '--name', 'Org', '--type', 'CORPORATE',
    '--data', dir, '--log-level', 'error', '--json'])).stdout);
  const client = JSON.parse((await runSignet(['admin', 'client', 'create', '--org', org.id, '--scopes',
    'srs:registration:create srs:registration:read srs:identity:read', '--data', dir, '--log-level', 'error',
    '--json'])).stdout);
  server = await startServer(dir, ['--job-interval', '0', '--srs-eid-issuers', jwks]);
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

describe('registration with an eID wallet (OpenID4VP)', () => {
  test('QR code and deep link, the wallet presents, SMS code, terms: ACTIVE', { timeout: TIMEOUT * 3 }, async () => {
    const reg = await api('POST', '/srs/v1/registrations', {
      methods: ['SRS_EID'], jurisdiction: 'CH', level: 'QUALIFIED', externalIdentifier: 'crm-eid',
    });

    // The end customer chooses the eID wallet (French page).
    const page = await openPage(browser, { locale: 'fr-CH' });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(reg.url);
    const start = page.locator('button[data-method="SRS_EID"]');
    await start.waitFor({ timeout: TIMEOUT });
    assert.equal((await page.locator('ul.methods h2').first().textContent()).trim(), 'Wallet e-ID');
    await start.click();
    const partner = page.locator('a.button[target="_blank"]');
    await partner.waitFor({ timeout: TIMEOUT });
    const eidUrl = await partner.getAttribute('href');
    assert.match(eidUrl, /\/srs\/eid\/[0-9a-f]{32}$/);

    // The eID page: mobile number, then the QR code and the deep link.
    const eid = await openPage(browser, { locale: 'fr-CH' });
    await eid.setViewportSize({ width: 390, height: 844 });
    await eid.goto(eidUrl);
    await eid.locator('#mobile').waitFor({ timeout: TIMEOUT });
    assert.equal((await eid.locator('h1').textContent()).trim(), 'Identification e-ID');
    await eid.fill('#mobile', MOBILE);
    await eid.click('#show');
    await eid.locator('#qr').waitFor({ timeout: TIMEOUT });
    await eid.waitForFunction(() => {
      const img = document.getElementById('qr');
      return img.complete && img.naturalWidth > 0;
    }, null, { timeout: TIMEOUT });
    const deepLink = await eid.locator('#deeplink').getAttribute('href');
    assert.match(deepLink, /^openid4vp:\/\/\?client_id=redirect_uri%3A/);
    await screenshots(eid, 'srs-eid-qr', SHOTS);

    // The wallet reads the request_uri from the deep link, fetches the request and answers.
    const requestUri = new URL(deepLink).searchParams.get('request_uri');
    assert.ok(requestUri.startsWith(`${server.base}/srs/openid4vp/request/`));
    const answer = await walletAnswer(issuer, requestUri, 'ok');
    assert.equal(answer.status, 200, JSON.stringify(answer.body));

    // The eID page moves on by itself.
    await eid.waitForFunction(() => document.getElementById('message').textContent.includes('e-ID a été vérifiée'),
      null, { timeout: TIMEOUT });
    assert.equal(await eid.locator('#qr').count(), 0);
    await screenshots(eid, 'srs-eid-done', SHOTS);
    assert.deepEqual(eid.problems(), []);

    // Back on the registration page: the SMS code to the number given, then the terms.
    await page.reload();
    await page.locator('#send').waitFor({ timeout: TIMEOUT });
    await page.click('#send');
    await page.waitForFunction(() => !document.getElementById('message').hidden, null, { timeout: TIMEOUT });
    const code = (await newestSms('CODE')).match(/(?<!\d)(\d{6})(?!\d)/)[1];
    await page.fill('#code', code);
    await page.click('#verify');
    await page.waitForFunction(() => document.getElementById('content').childElementCount === 0, null,
      { timeout: TIMEOUT });
    const termsPath = (await newestSms('SRS_TERMS')).match(/\/srs\/terms\/[A-Za-z0-9_-]+/)[0];
    await page.goto(`${server.base}${termsPath}`);
    await page.locator('#accept').waitFor({ timeout: TIMEOUT });
    await page.check('#consent'); // the identity data is read afterwards
    await page.click('#accept');
    await page.waitForFunction(() => !document.getElementById('message').hidden, null, { timeout: TIMEOUT });
    assert.deepEqual(page.problems(), []);

    const done = await api('GET', `/srs/v1/registrations/${reg.id}`);
    assert.equal(done.status, 'ACTIVE');
    assert.equal(done.method, 'SRS_EID');
    assert.equal(done.verified_claims.claims.family_name, 'Quellmatt');
    assert.equal(done.verified_claims.verification.evidence[0].type, 'electronic_record');
  });
});
