// Smart Registration Service in a real browser (docs/srs.md): the service provider creates a
// registration over the API; the end customer opens the link, chooses video identification;
// the simulator's test agent enters the ID data and approves; the customer confirms the SMS
// code (read from the outbox) and accepts the terms from the SMS link; the registration is
// ACTIVE with the version hash of the terms shown. Screenshots at 1280 px.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { SIGNET_BIN, launchBrowser, makeDir, openPage, removeDir, runSignet, startServer } from './lib/harness.mjs';

const TIMEOUT = 120_000; // an upper bound for slow (sanitizer) builds, not a timing assertion
const SHOTS = process.env.SIGNET_SCREENSHOT_DIR || join(dirname(SIGNET_BIN), 'screenshots');
const MOBILE = '+41795550011';

let dir;
let server;
let browser;
let token;

function sql(query) {
  return new Promise((resolve, reject) => {
    execFile('sqlite3', ['-cmd', '.timeout 5000', join(dir, 'signet.db'), query], (err, stdout) =>
      err ? reject(err) : resolve(stdout));
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

async function newestSms(kind) {
  const body = await sql(`SELECT body FROM outbox WHERE recipient = '${MOBILE}' AND kind = '${kind}' ` +
    'ORDER BY created_at DESC, rowid DESC LIMIT 1');
  assert.ok(body, `an SMS of kind ${kind}`);
  return body;
}

before(async () => {
  dir = await makeDir();
  const org = JSON.parse((await runSignet(['admin', 'org', 'create', '--name', 'Org', '--type', 'CORPORATE',
    '--data', dir, '--log-level', 'error', '--json'])).stdout);
  const client = JSON.parse((await runSignet(['admin', 'client', 'create', '--org', org.id, '--scopes',
    'srs:registration:create srs:registration:read srs:identity:read', '--data', dir, '--log-level', 'error',
    '--json'])).stdout);
  server = await startServer(dir, ['--job-interval', '0']);
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

describe('registration by video identification', () => {
  test('choose video, agent approves, SMS code, terms accepted: ACTIVE', { timeout: TIMEOUT * 3 }, async () => {
    const reg = await api('POST', '/srs/v1/registrations', {
      methods: ['SRS_VIDEO'], jurisdiction: 'CH', level: 'QUALIFIED', externalIdentifier: 'crm-7',
      redirectUrl: 'https://provider.example/done',
    });
    assert.equal(reg.status, 'OPEN');

    // The end customer chooses the method (German page).
    const page = await openPage(browser, { locale: 'de-CH' });
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(reg.url);
    const start = page.locator('button[data-method="SRS_VIDEO"]');
    await start.waitFor({ timeout: TIMEOUT });
    assert.equal((await page.locator('ul.methods h2').first().textContent()).trim(), 'Video-Identifikation');
    await page.screenshot({ path: join(SHOTS, 'srs-register-choose-1280.png'), fullPage: true });
    await start.click();
    const partner = page.locator('a.button[target="_blank"]');
    await partner.waitFor({ timeout: TIMEOUT });
    const simUrl = await partner.getAttribute('href');
    assert.match(simUrl, /\/srs\/sim\/video\/[0-9a-f]{32}$/);

    // The simulator's test agent checks the document and approves.
    const agent = await openPage(browser);
    await agent.goto(simUrl);
    await agent.locator('#sim').waitFor({ timeout: TIMEOUT });
    await agent.fill('#givenName', 'Zora');
    await agent.fill('#familyName', 'Quellmatt');
    await agent.fill('#birthDate', '1985-04-12');
    await agent.selectOption('#docType', 'ID_CARD');
    await agent.fill('#docNumber', 'C7654321');
    await agent.fill('#docExpiry', '2031-01-31');
    await agent.fill('#mobile', MOBILE);
    await agent.screenshot({ path: join(SHOTS, 'srs-sim-agent-1280.png'), fullPage: true });
    await agent.click('#approve');
    await agent.waitForFunction(() => document.getElementById('message').textContent.includes('AWAITING_TERMS'),
      null, { timeout: TIMEOUT });
    assert.deepEqual(agent.problems(), []);

    // Back on the registration page: the SMS code to the verified mobile.
    await page.reload();
    await page.locator('#send').waitFor({ timeout: TIMEOUT });
    await page.click('#send');
    await page.waitForFunction(() => !document.getElementById('message').hidden, null, { timeout: TIMEOUT });
    const code = (await newestSms('CODE')).match(/(?<!\d)(\d{6})(?!\d)/)[1];
    await page.fill('#code', code);
    await page.click('#verify');
    await page.waitForFunction(() => document.getElementById('message').textContent.includes('Nutzungsbedingungen'),
      null, { timeout: TIMEOUT });
    assert.deepEqual(page.problems(), []);

    // The terms link from the SMS; accepting makes the registration ACTIVE.
    const link = (await newestSms('SRS_TERMS')).match(/https?:\/\/\S+\/srs\/terms\/[A-Za-z0-9_-]+/)[0];
    const terms = await openPage(browser, { locale: 'de-CH' });
    await terms.setViewportSize({ width: 1280, height: 900 });
    await terms.goto(link);
    await terms.locator('#accept').waitFor({ timeout: TIMEOUT });
    assert.match(await terms.textContent('pre.terms'), /Nutzungsbedingungen Ihrer Signet-Registrierung/);
    await terms.screenshot({ path: join(SHOTS, 'srs-terms-1280.png'), fullPage: true });
    await terms.click('#accept');
    await terms.locator('a.button[href="https://provider.example/done"]').waitFor({ timeout: TIMEOUT });
    assert.match(await terms.textContent('#message'), /Registrierung ist abgeschlossen/);
    assert.deepEqual(terms.problems(), []);

    const done = await api('GET', `/srs/v1/registrations/${reg.id}`);
    assert.equal(done.status, 'ACTIVE');
    assert.equal(done.verified_claims.claims.family_name, 'Quellmatt');
    assert.equal(done.verified_claims.verification.evidence[0].document_details.type, 'idcard');
    assert.match(done.termsVersionHash, /^[0-9a-f]{64}$/);
  });
});
