// SRS Direct, the end customer's side (/srs/ra/{order}, docs/ra.md): the reference code (and
// its QR code) to show at a registration point. The order id in the path is the credential;
// the page updates until an agent has identified the person.
import { applyMessages, el, fetchJson, loadMessages, pickLanguage, showNotice, t } from './ui.js';

const base = location.pathname.replace(/\/$/, '');
const content = document.getElementById('content');
const message = document.getElementById('message');

function say(text, error = false) {
  showNotice(message, text, error);
}

async function refresh() {
  let state;
  try {
    state = await fetchJson(base + '/state');
  } catch (e) {
    say(e.message, true);
    return;
  }
  if (state.status !== 'IN_IDENTIFICATION') {
    content.replaceChildren(el('p', { id: 'visit-done' }, t('raVisit.done')));
    return;
  }
  const qr = state.qr ? el('img', { class: 'qr', alt: t('raVisit.qrAlt'), src: 'data:image/svg+xml;charset=utf-8,' + encodeURIComponent(state.qr) }) : null;
  content.replaceChildren(
    el('p', {}, t('raVisit.intro')),
    el('p', { class: 'ra-reference', id: 'reference' }, state.reference),
    qr,
    el('p', {}, t('raVisit.bring')),
    el('p', {}, t('raVisit.after')));
  setTimeout(refresh, 5000);
}

async function main() {
  await loadMessages(pickLanguage());
  applyMessages();
  refresh();
}

main();
