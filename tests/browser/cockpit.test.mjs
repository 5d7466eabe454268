// The admin cockpit (/ui/admin, docs/cockpit.md) in a real browser: an organization admin
// made with `signet admin org-user create` signs in (a wrong password first shows the generic
// message), creates an API credential whose secret is shown once and then gone, proves it at
// the token endpoint, revokes it (the token endpoint then answers 401), creates a team with a
// member, finds processes made through the Sign API by search and status and opens one with
// its audit records, and signs out. Screenshots at 1280 and 390 px.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import {
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
const PASSWORD = 'correct horse battery staple';

let dir;
let server;
let browser;
let token;
let processIds = [];

async function tokenStatus(clientId, secret) {
  const r = await fetch(`${server.base}/realms/signet/protocol/openid-connect/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: `grant_type=client_credentials&client_id=${encodeURIComponent(clientId)}&client_secret=${encodeURIComponent(secret)}`,
  });
  const body = await r.json();
  return { status: r.status, body };
}

async function createProcess(ext, firstName) {
  const r = await fetch(`${server.base}/system/api/process`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({
      signatureLevel: 'SIMPLE',
      initiator: { type: 'NON_PERSON', name: 'ERP' },
      invitees: { signers: [{ type: 'SIGNER', externalIdentifier: ext, firstName, lastName: 'Muster', email: 'anna@example.com' }] },
    }),
  });
  const json = await r.json();
  assert.equal(r.status, 201, JSON.stringify(json));
  return json.id;
}

before(async () => {
  dir = await makeDir();
  const common = ['--data', dir, '--log-level', 'error', '--json'];
  const org = JSON.parse((await runSignet(['admin', 'org', 'create', '--name', 'Muster AG', '--type', 'ORGANIZATION', ...common])).stdout);
  const other = JSON.parse((await runSignet(['admin', 'org', 'create', '--name', 'Other AG', '--type', 'ORGANIZATION', ...common])).stdout);
  const pw = join(dir, 'pw.txt');
  await writeFile(pw, `${PASSWORD}\n`, { mode: 0o600 });
  await runSignet(['admin', 'org-user', 'create', '--org', org.id, '--email', 'ada@muster.example', '--password-file', pw, ...common]);
  const client = JSON.parse((await runSignet(['admin', 'client', 'create', '--org', org.id, '--scopes',
    'sswp:process:create sswp:process:read sswp:process:read:all', ...common])).stdout);
  const otherClient = JSON.parse((await runSignet(['admin', 'client', 'create', '--org', other.id, ...common])).stdout);
  server = await startServer(dir);
  token = (await tokenStatus(client.client_id, client.client_secret)).body.access_token;
  assert.ok(token);
  processIds = [await createProcess('crm-42', 'Anna'), await createProcess('crm-43', 'Zoe')];
  // Another organization's process: never in this admin's list.
  const otherToken = (await tokenStatus(otherClient.client_id, otherClient.client_secret)).body.access_token;
  const saved = token;
  token = otherToken;
  await createProcess('crm-other', 'Otto');
  token = saved;
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

/** Problems other than the answers the test caused on purpose. */
function unexpected(page, allowed) {
  return page.problems().filter((p) => !allowed.some((a) => p.includes(a)));
}

describe('admin cockpit', () => {
  test('sign in, credentials once, teams, processes with records, sign out', { timeout: TIMEOUT * 3 }, async () => {
    const page = await openPage(browser);
    await page.setViewportSize({ width: 1280, height: 900 });
    const response = await page.goto(`${server.base}/ui/admin`);
    const csp = response.headers()['content-security-policy'];
    assert.match(csp, /script-src 'self';/);
    assert.doesNotMatch(csp, /unsafe-inline/);
    await page.waitForSelector('body[data-ready="true"]', { timeout: TIMEOUT });
    assert.ok(await page.isVisible('#signin-form'));

    // A wrong password: the one message for every failed sign-in.
    await page.fill('#email', 'ada@muster.example');
    await page.fill('#password', 'not the password');
    await page.click('#signin-form button[type=submit]');
    await page.waitForSelector('#error:not([hidden])');
    assert.equal(await page.textContent('#error'), 'The e-mail address, password or code is wrong.');

    await page.fill('#password', PASSWORD);
    await page.click('#signin-form button[type=submit]');
    await page.waitForSelector('#cockpit:not([hidden])');
    assert.equal(await page.textContent('#org-title'), 'Muster AG');
    assert.equal(await page.textContent('#who-text'), 'ada@muster.example');
    const cookies = await page.context().cookies();
    const session = cookies.find((c) => c.name === 'signet_admin');
    assert.ok(session && session.httpOnly && session.sameSite === 'Strict');
    assert.equal(await page.evaluate(() => document.cookie), '', 'the session cookie is not readable by script');

    // A credential: the secret is shown once.
    await page.fill('#client-description', 'CRM connector');
    await page.click('#client-form button[type=submit]');
    await page.waitForSelector('#secret-box:not([hidden])');
    const clientId = await page.textContent('#new-client-id');
    const secret = await page.textContent('#new-client-secret');
    assert.equal(secret.length, 43);
    await page.waitForSelector(`tr[data-client="${clientId}"]`);
    await screenshots(page, 'cockpit-credential', SHOTS);
    const issued = await tokenStatus(clientId, secret);
    assert.equal(issued.status, 200, JSON.stringify(issued.body));
    assert.ok(issued.body.access_token);
    await page.click('#secret-done');
    assert.ok(await page.isHidden('#secret-box'));
    assert.ok(!(await page.content()).includes(secret), 'the secret is gone from the page');
    await page.reload();
    await page.waitForSelector('#cockpit:not([hidden])');
    assert.ok(!(await page.content()).includes(secret), 'and not shown again after a reload');

    // Revoke it: the token endpoint refuses it at once.
    page.once('dialog', (d) => d.accept());
    await page.click(`tr[data-client="${clientId}"] button`);
    await page.waitForSelector(`tr[data-client="${clientId}"] .status-badge.bad`);
    assert.equal((await tokenStatus(clientId, secret)).status, 401);

    // A team with a member.
    await page.fill('#team-name', 'Sales');
    await page.click('#team-form button[type=submit]');
    await page.waitForSelector('li[data-team="Sales"]');
    await page.fill('li[data-team="Sales"] input[type=email]', 'carla@muster.example');
    await page.click('li[data-team="Sales"] form button[type=submit]');
    await page.waitForSelector('li[data-team="Sales"] .members li');
    assert.match(await page.textContent('li[data-team="Sales"] .members'), /carla@muster\.example/);

    // Processes of this organization only; search by a signer's externalIdentifier.
    await page.waitForSelector(`tr[data-process="${processIds[0]}"]`);
    assert.equal(await page.locator('#process-table tbody tr').count(), 2);
    await page.fill('#process-search', 'crm-42');
    await page.click('#process-filter button[type=submit]');
    await page.waitForFunction(() => document.querySelectorAll('#process-table tbody tr').length === 1);
    assert.ok(await page.isVisible(`tr[data-process="${processIds[0]}"]`));
    await page.selectOption('#process-status', 'COMPLETED');
    await page.click('#process-filter button[type=submit]');
    await page.waitForSelector('#process-empty:not([hidden])');
    await page.selectOption('#process-status', 'CREATED');
    await page.click('#process-filter button[type=submit]');
    await page.waitForSelector(`tr[data-process="${processIds[0]}"]`);
    await page.click(`tr[data-process="${processIds[0]}"] button`);
    await page.waitForSelector('#process-detail:not([hidden])');
    assert.match(await page.textContent('#detail-signers'), /Anna Muster/);
    assert.ok((await page.locator('#detail-records li').count()) >= 1);
    assert.ok(await page.locator('#detail-records li[data-action]').first().getAttribute('data-action'));

    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: join(SHOTS, 'cockpit-processes-390.png'), fullPage: true });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 1, `no horizontal scrolling at 390 px (overflow ${overflow})`);
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.screenshot({ path: join(SHOTS, 'cockpit-processes-1280.png'), fullPage: true });

    // Sign out: the page shows the sign-in form and the old session is gone.
    await page.click('#sign-out');
    await page.waitForSelector('#signin:not([hidden])');
    const after = await page.request.get(`${server.base}/ui/admin/api/session`, {
      headers: { Cookie: `signet_admin=${session.value}` },
    });
    assert.equal(after.status(), 401);
    await page.setViewportSize({ width: 390, height: 844 });
    await screenshots(page, 'cockpit-signin', SHOTS);

    assert.deepEqual(unexpected(page, [
      'HTTP 401: GET', // the first visit and the reload after sign-out ask for the session
      'HTTP 401: POST', // the wrong password
      'status of 401', // chromium's console line for the same answers
    ]), []);
  });
});
