// SRS Direct in a real browser (docs/ra.md): the service provider creates a registration; the
// end customer chooses "in person at a registration point" and gets a reference code; an RA
// agent (made with `signet admin ra-agent create`) signs in to /ui/ra, picks the point, opens
// the code, types the ID card's data and its machine-readable zone (a wrong check digit is
// refused first, naming the MRZ), uploads a photo, submits with the mobile number, and types
// the SMS code the person received; the person accepts the terms from the SMS link: ACTIVE.
// Screenshots at 390 and 1280 px (srs-direct-*.png).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { SIGNET_BIN, openPage, runSignet, screenshots } from './lib/harness.mjs';
import { withSrsServer } from './lib/srs.mjs';

const TIMEOUT = 120_000; // an upper bound for slow (sanitizer) builds, not a timing assertion
const SHOTS = process.env.SIGNET_SCREENSHOT_DIR || join(dirname(SIGNET_BIN), 'screenshots');
const MOBILE = '+41795550033';
const PASSWORD = 'correct horse battery';
// A Swiss ID card (TD1) with correct ICAO 9303 check digits, and the same with one digit wrong.
const MRZ = 'IDCHEE1234567<4<<<<<<<<<<<<<<<\n8504124F3106305CHE<<<<<<<<<<<2\nMUELLER<<ANNA<LEA<<<<<<<<<<<<<';
const MRZ_BAD = MRZ.replace('E1234567<4', 'E1234567<9');

const ctx = withSrsServer(SHOTS);
const api = (...args) => ctx.srs.api(...args);

async function cli(args) {
  const { stdout } = await runSignet([...args, '--data', ctx.srs.dir, '--log-level', 'error', '--json']);
  return JSON.parse(stdout);
}

async function waitMessage(page, pattern) {
  await page.waitForFunction((source) => new RegExp(source).test(document.getElementById('message').textContent),
    pattern.source, { timeout: TIMEOUT });
}

describe('SRS Direct: identification at a registration point', () => {
  test('agent identifies with an uploaded photo; SMS code on the agent side; terms: ACTIVE', { timeout: TIMEOUT * 3 }, async () => {
    const point = await cli(['admin', 'ra-point', 'create', '--name', 'Lausanne Flon']);
    const pwFile = join(ctx.srs.dir, 'agent-pw.txt');
    await writeFile(pwFile, `${PASSWORD}\n`);
    const agentAccount = await cli(['admin', 'ra-agent', 'create', '--email', 'ines@ra.example', '--role', 'AGENT',
      '--password-file', pwFile]);
    assert.equal(agentAccount.role, 'AGENT');

    const reg = await api('POST', '/srs/v1/registrations', {
      methods: ['SRS_DIRECT'], jurisdiction: 'CH', level: 'QUALIFIED', redirectUrl: 'https://provider.example/done',
    });

    // The customer chooses the method and sees the reference code with its QR code.
    const customer = await openPage(ctx.browser, { locale: 'fr-CH' });
    await customer.setViewportSize({ width: 390, height: 844 });
    await customer.goto(reg.url);
    const start = customer.locator('button[data-method="SRS_DIRECT"]');
    await start.waitFor({ timeout: TIMEOUT });
    await start.click();
    const link = customer.locator('a.button[target="_blank"]');
    await link.waitFor({ timeout: TIMEOUT });
    const visitUrl = await link.getAttribute('href');
    assert.match(visitUrl, /\/srs\/ra\/[0-9a-f]{32}$/);
    await customer.goto(visitUrl);
    await customer.locator('#reference').waitFor({ timeout: TIMEOUT });
    const reference = (await customer.textContent('#reference')).trim();
    assert.match(reference, /^[0-9A-Z]{5}-[0-9A-Z]{5}$/);
    await customer.waitForFunction(() => {
      const img = document.querySelector('img.qr');
      return img && img.complete && img.naturalWidth > 0;
    }, null, { timeout: TIMEOUT });
    assert.match(await customer.textContent('#content'), /point d'enregistrement/);
    await screenshots(customer, 'srs-direct-customer', SHOTS);
    assert.deepEqual(customer.problems(), []);

    // The agent signs in and picks the point.
    const agent = await openPage(ctx.browser, { locale: 'en-GB' });
    await agent.setViewportSize({ width: 1280, height: 900 });
    await agent.goto(`${ctx.srs.base}/ui/ra`);
    await agent.locator('#login-form').waitFor({ timeout: TIMEOUT });
    agent.clearProblems(); // the session check before signing in answers 401
    await screenshots(agent, 'srs-direct-signin', SHOTS);
    await agent.fill('#email', 'ines@ra.example');
    await agent.fill('#password', PASSWORD);
    await agent.click('#login');
    await agent.locator('#point').waitFor({ timeout: TIMEOUT });
    await agent.selectOption('#point', point.id);
    await agent.click('#use-point');

    // The reference code as the customer shows it.
    await agent.locator('#reference').waitFor({ timeout: TIMEOUT });
    await agent.fill('#reference', reference.toLowerCase());
    await agent.click('#open-case');
    await agent.locator('#doc-number').waitFor({ timeout: TIMEOUT });

    // The ID card's data; a wrong check digit in the MRZ is refused first.
    await agent.selectOption('#doc-type', 'ID_CARD');
    await agent.fill('#doc-number', 'E1234567');
    await agent.fill('#doc-country', 'CH');
    await agent.fill('#doc-expiry', '2031-06-30');
    await agent.fill('#given-name', 'Anna Lea');
    await agent.fill('#family-name', 'Müller');
    await agent.fill('#birth-date', '1985-04-12');
    await agent.fill('#nationality', 'CH');
    await agent.fill('#mrz', MRZ_BAD);
    await agent.click('#save-document');
    await waitMessage(agent, /'mrz'.*check digit of the document number/);
    agent.clearProblems(); // that 400 was the point
    await agent.fill('#mrz', MRZ);
    await agent.click('#save-document');
    await waitMessage(agent, /matches its machine-readable zone/);

    // A photo from a file (made by a canvas, as a camera would give it).
    await agent.locator('#photo-file').waitFor({ timeout: TIMEOUT });
    const dataUrl = await agent.evaluate(() => {
      const c = document.createElement('canvas');
      c.width = 120;
      c.height = 160;
      const g = c.getContext('2d');
      g.fillStyle = '#8ab';
      g.fillRect(0, 0, 120, 160);
      g.fillStyle = '#345';
      g.beginPath();
      g.arc(60, 60, 30, 0, Math.PI * 2);
      g.fill();
      return c.toDataURL('image/jpeg', 0.9);
    });
    await agent.setInputFiles('#photo-file', {
      name: 'person.jpg', mimeType: 'image/jpeg', buffer: Buffer.from(dataUrl.split(',')[1], 'base64'),
    });
    await agent.locator('#mobile').waitFor({ timeout: TIMEOUT });
    await agent.waitForFunction(() => {
      const img = document.getElementById('photo-preview');
      return img && img.complete && img.naturalWidth === 120;
    }, null, { timeout: TIMEOUT });
    await agent.fill('#mobile', MOBILE);
    await screenshots(agent, 'srs-direct-case', SHOTS);
    await agent.click('#submit-case');
    await agent.locator('#send-code').waitFor({ timeout: TIMEOUT });
    const identified = await api('GET', `/srs/v1/registrations/${reg.id}`);
    assert.equal(identified.status, 'AWAITING_TERMS');
    // No identity data before the person consented on the terms page (docs/srs.md "Consent").
    assert.equal(identified.identityShared, false);
    assert.equal(identified.verified_claims, undefined);

    // The person's SMS code, typed on the agent's device.
    await agent.click('#send-code');
    await waitMessage(agent, /sent by SMS/);
    const code = (await ctx.srs.newestSms(MOBILE, 'CODE')).match(/(?<!\d)(\d{6})(?!\d)/)[1];
    await agent.fill('#code', code);
    await agent.click('#verify-code');
    await agent.locator('#code-done').waitFor({ timeout: TIMEOUT });
    await screenshots(agent, 'srs-direct-done', SHOTS);
    assert.deepEqual(agent.problems(), []);

    // The terms of use from the SMS, accepted on the person's phone.
    const termsLink = (await ctx.srs.newestSms(MOBILE, 'SRS_TERMS')).match(/https?:\/\/\S+\/srs\/terms\/[A-Za-z0-9_-]+/)[0];
    await customer.goto(termsLink);
    await customer.locator('#accept').waitFor({ timeout: TIMEOUT });
    await customer.check('#consent'); // the identity data is read afterwards
    await customer.click('#accept');
    await customer.locator('a.button[href="https://provider.example/done"]').waitFor({ timeout: TIMEOUT });
    const done = await api('GET', `/srs/v1/registrations/${reg.id}`);
    assert.equal(done.status, 'ACTIVE');
    assert.equal(done.method, 'SRS_DIRECT');
    assert.equal(done.identityShared, true);
    assert.equal(done.verified_claims.claims.family_name, 'Müller');
    assert.equal(done.verified_claims.verification.evidence[0].type, 'document');
  });
});
