// The end customer's eID page (/srs/eid/{order}, docs/srs.md "eID"): takes the mobile number,
// then shows the OpenID4VP request as QR code and as deep link (openid4vp://…) for a wallet
// on this device, and follows the order until the wallet's presentation has been verified.
// JSON calls on the same path: /state, /request. Texts: srsEid.* in i18n/{lang}.js.
import { applyMessages, el, fetchJson, loadMessages, pickLanguage, showNotice, t } from './ui.js';

const base = location.pathname.replace(/\/$/, '');
const content = document.getElementById('content');
const message = document.getElementById('message');
const POLL_MS = 2000;

function say(text, error = false) {
  showNotice(message, text, error);
}

function finished(state) {
  content.replaceChildren();
  if (state.decided && state.status === 'AWAITING_TERMS') say(t('srsEid.identified'));
  else say(t('srsEid.finished', { status: state.status }), state.status !== 'ACTIVE');
}

// Follows the order while the QR code is shown; moves on once the wallet has answered.
async function follow() {
  try {
    const state = await fetchJson(base + '/state');
    if (state.decided || state.status !== 'IN_IDENTIFICATION') {
      finished(state);
      return;
    }
  } catch (e) {
    say(e.message, true);
  }
  setTimeout(follow, POLL_MS);
}

function showRequest(r) {
  const img = el('img', { id: 'qr', class: 'qr', src: r.qrCode, alt: t('srsEid.qrAlt'), width: '240', height: '240' });
  const link = el('a', { id: 'deeplink', class: 'button', href: r.deepLink }, t('srsEid.openWallet'));
  content.replaceChildren(el('p', {}, t('srsEid.scan')), img, el('p', {}, t('srsEid.sameDevice')), link,
    el('p', { class: 'hint' }, t('srsEid.waiting')));
  say('');
  follow();
}

async function main() {
  await loadMessages(pickLanguage());
  applyMessages();
  document.title = `${t('srsEid.title')} – Signet`;
  let state;
  try {
    state = await fetchJson(base + '/state');
  } catch (e) {
    say(e.message, true);
    return;
  }
  if (state.decided || state.status !== 'IN_IDENTIFICATION') {
    finished(state);
    return;
  }
  const mobile = el('input', { id: 'mobile', type: 'tel', autocomplete: 'tel', inputmode: 'tel', placeholder: '+41791234567', required: '' });
  const form = el('form', { id: 'eid' },
    el('p', {}, t('srsEid.intro')),
    el('label', { for: 'mobile' }, t('srsEid.mobile')), mobile,
    el('button', { type: 'submit', class: 'button', id: 'show' }, t('srsEid.showQr')));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try {
      const r = await fetchJson(base + '/request', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ mobile: mobile.value.trim() }),
      });
      showRequest(r);
    } catch (e) {
      say(e.message, true);
    }
  });
  content.replaceChildren(form);
}

main();
