// Bank identification in a real browser (docs/srs.md "Bank simulator"): the service provider
// creates a registration offering video and bank; the end customer (French page) chooses the
// bank, logs in to the simulated bank with the test login shown there and confirms the 0.10
// reference transfer with the IBAN prefilled from the registration; the bank reports the result
// over the HMAC-signed callback path; SMS code, terms: ACTIVE, with the bank's record as the
// evidence. A second registration: the person cancels at the bank, and the registration page
// says the identification failed. Screenshots at 390 and 1280 px.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { dirname, join } from 'node:path';
import { SIGNET_BIN, openPage, screenshots } from './lib/harness.mjs';
import { finishRegistration, withSrsServer } from './lib/srs.mjs';

const TIMEOUT = 120_000; // an upper bound for slow (sanitizer) builds, not a timing assertion
const SHOTS = process.env.SIGNET_SCREENSHOT_DIR || join(dirname(SIGNET_BIN), 'screenshots');
const MOBILE = '+41795550022';
const DONE = 'https://provider.example/bank-done';

const ctx = withSrsServer(SHOTS);

/** Creates a registration, chooses the bank on its page; resolves to { reg, page, bankUrl }. */
async function chooseBank(person, shotName) {
  const reg = await ctx.srs.api('POST', '/srs/v1/registrations', {
    methods: ['SRS_VIDEO', 'SRS_BANK'], jurisdiction: 'CH', level: 'ADVANCED', redirectUrl: DONE, person,
  });
  const page = await openPage(ctx.browser, { locale: 'fr-CH' });
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto(reg.url);
  const start = page.locator('button[data-method="SRS_BANK"]');
  await start.waitFor({ timeout: TIMEOUT });
  assert.deepEqual(await page.locator('ul.methods h2').allTextContents(),
    ['Identification vidéo', 'Identification bancaire']);
  if (shotName) await screenshots(page, shotName, SHOTS);
  await start.click();
  const partner = page.locator('a.button[target="_blank"]');
  await partner.waitFor({ timeout: TIMEOUT });
  const bankUrl = await partner.getAttribute('href');
  assert.match(bankUrl, /\/srs\/sim\/bank\/[0-9a-f]{32}$/);
  return { reg, page, bankUrl };
}

describe('registration by bank identification', () => {
  test('choose the bank, confirm the reference transfer, SMS code, terms: ACTIVE', { timeout: TIMEOUT * 3 }, async () => {
    const { reg, page, bankUrl } = await chooseBank(
      { givenName: 'Noé', familyName: 'Rochat', iban: 'CH93 0076 2011 6238 5295 7' }, 'srs-bank-choose');

    // The simulated bank, in the customer's language: the transfer to make and the test login.
    const bank = await openPage(ctx.browser, { locale: 'fr-CH' });
    await bank.setViewportSize({ width: 1280, height: 900 });
    await bank.goto(bankUrl);
    await bank.locator('#bank').waitFor({ timeout: TIMEOUT });
    assert.equal(await bank.textContent('h1'), 'Banque simulée – virement de référence');
    assert.equal(await bank.textContent('#amount'), '0.10 CHF');
    const reference = (await bank.textContent('#reference')).trim();
    assert.match(reference, /^SRS-[0-9A-F]{4}-[0-9A-F]{4}$/);
    assert.equal(await bank.inputValue('#iban'), 'CH93 0076 2011 6238 5295 7');
    assert.equal(await bank.inputValue('#familyName'), 'Rochat');
    assert.match(await bank.textContent('#testLogin'), /simbank \/ simbank-test/);
    await bank.fill('#login', 'simbank');
    await bank.fill('#password', 'simbank-test');
    await bank.fill('#birthDate', '1979-09-30');
    await bank.fill('#mobile', MOBILE);
    await screenshots(bank, 'srs-bank-sim', SHOTS);
    await bank.click('#confirm');
    await bank.waitForFunction(() => document.getElementById('message').textContent.includes('AWAITING_TERMS'),
      null, { timeout: TIMEOUT });
    assert.match(await bank.textContent('#message'), /Votre banque a transmis le résultat/);
    assert.deepEqual(bank.problems(), []);

    const terms = await finishRegistration(ctx.srs, ctx.browser, page, {
      mobile: MOBILE, locale: 'fr-CH', redirectUrl: DONE, timeout: TIMEOUT,
      expect: { termsSent: 'conditions d’utilisation', terms: /Conditions d’utilisation de votre enregistrement Signet/, active: /enregistrement est terminé/ },
    });
    await screenshots(terms, 'srs-bank-active', SHOTS);

    const done = await ctx.srs.api('GET', `/srs/v1/registrations/${reg.id}`);
    assert.equal(done.status, 'ACTIVE');
    assert.equal(done.method, 'SRS_BANK');
    const evidence = done.verified_claims.verification.evidence[0];
    assert.equal(evidence.type, 'electronic_record');
    assert.equal(evidence.check_details[0].txn, reference);
    assert.equal(done.verified_claims.claims.family_name, 'Rochat');
    assert.equal(done.verified_claims.claims.birthdate, '1979-09-30');
  });

  test('cancelling at the bank ends the registration as not successful', { timeout: TIMEOUT * 2 }, async () => {
    const { reg, page, bankUrl } = await chooseBank({ givenName: 'Noé', familyName: 'Rochat' });
    const bank = await openPage(ctx.browser, { locale: 'fr-CH' });
    await bank.goto(bankUrl);
    await bank.locator('#cancel').waitFor({ timeout: TIMEOUT });
    await bank.click('#cancel');
    await bank.waitForFunction(() => document.getElementById('message').textContent.includes('REJECTED'),
      null, { timeout: TIMEOUT });
    await bank.reload();
    await bank.waitForFunction(() => document.getElementById('message').textContent.includes('déjà été traité'),
      null, { timeout: TIMEOUT });
    assert.deepEqual(bank.problems(), []);

    await page.reload();
    await page.waitForFunction(() => document.getElementById('message').textContent.includes('n’a pas abouti'),
      null, { timeout: TIMEOUT });
    await screenshots(page, 'srs-bank-rejected', SHOTS);
    const done = await ctx.srs.api('GET', `/srs/v1/registrations/${reg.id}`);
    assert.equal(done.status, 'REJECTED');
    assert.match(done.rejectionReason, /cancelled/);
  });
});
