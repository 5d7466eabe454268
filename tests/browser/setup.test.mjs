// The setup page in a real browser (docs/setup-page.md): an integrator creates a process with
// one signer through the Sign API, attaches a PDF without signature positions and asks for a
// setup link; the person it is handed to opens the link, adds a second signer, drags both
// signers' fields onto page 1 with the mouse, places and removes a third with the keyboard,
// chooses SIMPLE and releases. The Sign API then shows the process PENDING with both signers
// and the two positions where they were dropped. Also: the page's headers, no console errors,
// the released page when the link is opened again, screenshots at 390 and 1280 px.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
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
  startServer,
} from './lib/harness.mjs';

const TIMEOUT = 120_000; // an upper bound for slow (sanitizer) builds, not a timing assertion
const SHOTS = process.env.SIGNET_SCREENSHOT_DIR || join(dirname(SIGNET_BIN), 'screenshots');
const A4 = { width: 595, height: 842 }; // simple-a4.pdf, points
const STICKER = { width: 180, height: 60 };

let dir;
let server;
let browser;
let token;

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

before(async () => {
  dir = await makeDir();
  const org = JSON.parse((await runSignet(['admin', 'org', 'create', '--name', 'Org', '--type', 'ORGANIZATION',
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

/** Drags from the centre of locator `from` to (x, y) with real mouse events. */
async function dragTo(page, from, x, y) {
  const b = await from.boundingBox();
  await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2);
  await page.mouse.down();
  await page.mouse.move(b.x + b.width / 2 + 20, b.y + b.height / 2 + 20, { steps: 3 });
  await page.mouse.move(x, y, { steps: 12 });
  await page.mouse.up();
}


describe('setup page', () => {
  test('setup page drag-and-drop and release', { timeout: TIMEOUT * 3 }, async () => {
    const p = await api('POST', '/system/api/process', {
      initiator: { type: 'NON_PERSON', name: 'ERP' },
      invitees: {
        signers: [{ type: 'SIGNER', externalIdentifier: 'crm-a', firstName: 'Anna', lastName: 'Muster', email: 'anna@example.com' }],
      },
    });
    const pdf = await readFile(join(CORPUS, 'simple-a4.pdf'));
    await api('POST', `/system/api/process/${p.id}/attach`, {
      name: 'Offer.pdf', contentType: 'application/pdf', content: pdf.toString('base64'),
    });
    const link = await api('POST', `/system/api/process/${p.id}/setup`, { language: 'en-GB' });
    assert.match(link.url, /\/ui\/setup\/[A-Za-z0-9_-]{43}$/);

    const page = await openPage(browser);
    await page.setViewportSize({ width: 1280, height: 900 });
    const response = await page.goto(link.url);
    const headers = response.headers();
    assert.doesNotMatch(headers['content-security-policy'], /unsafe-inline/);
    assert.match(headers['content-security-policy'], /frame-ancestors 'none'/);
    assert.equal(headers['x-frame-options'], 'DENY');
    await page.waitForSelector('body[data-ready="true"]', { timeout: TIMEOUT });
    assert.equal(await page.textContent('h1'), 'Prepare for signing');

    // A second signer.
    await page.click('#add-signer');
    const row = page.locator('.signer-row').nth(1);
    await row.locator('input[name="firstName"]').fill('Beat');
    await row.locator('input[name="lastName"]').fill('Beispiel');
    await row.locator('input[name="email"]').fill('beat@example.com');
    await page.click('#save-signers');
    await page.locator('#palette .chip').nth(1).waitFor({ timeout: TIMEOUT });
    assert.equal(await page.locator('#palette .chip').nth(1).textContent(), 'Beat Beispiel');
    await imagesLoaded(page, TIMEOUT);

    // Drag both signers onto page 1: field centres at (200, 300) and (420, 300) points. The
    // page is scrolled to the top of the window; the signer palette stays in view (sticky).
    const frame = page.locator('.page-frame').first();
    const want = [{ cx: 200, cy: 300 }, { cx: 420, cy: 300 }];
    for (let i = 0; i < 2; i++) {
      await frame.evaluate((e) => e.scrollIntoView({ block: 'start' }));
      const fb = await frame.boundingBox();
      const scale = fb.width / A4.width;
      await dragTo(page, page.locator('#palette .chip').nth(i), fb.x + want[i].cx * scale, fb.y + want[i].cy * scale);
      await page.locator('.field-box').nth(i).waitFor({ timeout: TIMEOUT });
    }
    await page.locator('#progress', { hasText: 'The signature fields are saved.' }).waitFor({ timeout: TIMEOUT });
    assert.equal(await page.locator('.field-box').count(), 2);
    await page.screenshot({ path: join(SHOTS, 'setup-fields-1280.png'), fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: join(SHOTS, 'setup-fields-390.png'), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 900 });

    // Keyboard: choose Anna, Enter on the page places a field, an arrow moves it, Delete
    // removes it again.
    await page.locator('#palette .chip').first().click();
    assert.equal(await page.locator('#palette .chip').first().getAttribute('aria-pressed'), 'true');
    await page.locator('.page-frame').first().focus();
    await page.keyboard.press('Enter');
    await page.locator('.field-box').nth(2).waitFor({ timeout: TIMEOUT });
    await page.waitForFunction(() => document.activeElement?.classList.contains('field-box'), null, { timeout: TIMEOUT });
    await page.keyboard.press('Delete');
    await page.waitForFunction(() => document.querySelectorAll('.field-box').length === 2, null, { timeout: TIMEOUT });

    // Release at SIMPLE.
    await page.selectOption('#level', 'SIMPLE');
    assert.deepEqual(await page.locator('#method-list input:checked').evaluateAll((l) => l.map((i) => i.value)), ['CLICK']);
    await page.click('#release');
    await page.locator('#final-title', { hasText: 'Released for signing' }).waitFor({ timeout: TIMEOUT });
    await page.screenshot({ path: join(SHOTS, 'setup-released-1280.png'), fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: join(SHOTS, 'setup-released-390.png'), fullPage: true });
    assert.deepEqual(page.problems(), []);

    // As the Sign API sees it.
    const got = await api('GET', `/system/api/process/${p.id}`);
    assert.equal(got.status, 'PENDING');
    assert.equal(got.signatureLevel, 'SIMPLE');
    assert.deepEqual(got.invitees.signers.map((s) => `${s.firstName} ${s.lastName}`), ['Anna Muster', 'Beat Beispiel']);
    const beat = got.invitees.signers[1].identification;
    const positions = got.fileReferences[0].signaturePositions;
    assert.equal(positions.length, 2);
    const bySigner = Object.fromEntries(positions.map((x) => [x.signer, x]));
    const expectAt = (pos, w) => {
      assert.equal(pos.pageNumber, 0);
      assert.ok(Math.abs(pos.positionX - (w.cx - STICKER.width / 2)) <= 3, `x ${pos.positionX} near ${w.cx - 90}`);
      assert.ok(Math.abs(pos.positionY - (w.cy - STICKER.height / 2)) <= 3, `y ${pos.positionY} near ${w.cy - 30}`);
    };
    expectAt(bySigner['crm-a'], want[0]);
    expectAt(bySigner[beat], want[1]);

    // The link again: the released page, nothing to edit.
    const again = await openPage(browser, { locale: 'de-CH' });
    await again.goto(`${link.url}?lang=de`);
    await again.waitForSelector('body[data-ready="true"]', { timeout: TIMEOUT });
    assert.equal(await again.textContent('#final-title'), 'Zum Unterschreiben freigegeben');
    assert.ok(await again.locator('#editor').isHidden());
  });

  test('an unknown setup link shows a clear page', { timeout: TIMEOUT }, async () => {
    const page = await openPage(browser);
    await page.goto(`${server.base}/ui/setup/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA`);
    await page.waitForSelector('body[data-ready="true"]', { timeout: TIMEOUT });
    assert.equal(await page.textContent('#final-title'), 'This setup link is not valid');
  });
});
