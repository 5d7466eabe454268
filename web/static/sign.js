// The signer page (docs/signer-pages.md): authorization with a one-time code, the documents
// with the signer's boxes highlighted, signing (CLICK, SMS, APP with an authenticator app that is
// enrolled here by QR code the first time, PASSKEY with a WebAuthn passkey registered here the
// first time), declining, the registration a QUALIFIED level needs (Smart Registration
// Service: started here, it leads back here), and the end states.
// Everything goes through the session API under /ui/api/session (cookie + X-CSRF-Token).
import { applyMessages, el, fetchJson, loadMessages, pickLanguage, t, timeElement, ApiError } from './ui.js';
import { SignaturePad } from './signature_pad.js';

const API = '/ui/api/session';
let state = null;

const $ = (id) => document.getElementById(id);

function showError(message) {
  $('error-message').textContent = message;
  $('error').hidden = !message;
}

function progress(message) {
  $('progress').textContent = message || '';
  $('progress').hidden = !message;
}

function post(path, body) {
  return fetchJson(`${API}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': state ? state.csrfToken : '' },
    body: JSON.stringify(body || {}),
  });
}

/** An http(s) URL from the session (set by the integrator), or null. */
function safeUrl(u) {
  if (!u) return null;
  try {
    const url = new URL(u);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : null;
  } catch (e) {
    return null;
  }
}

function hideAll() {
  for (const id of ['final', 'authorize', 'documents', 'sign', 'signers']) $(id).hidden = true;
}

function showFinal(titleKey, textKey, continueUrl) {
  $('final-title').textContent = t(titleKey);
  $('final-text').textContent = t(textKey);
  const link = $('final-continue');
  link.hidden = !continueUrl;
  if (continueUrl) link.href = continueUrl;
  $('final').hidden = false;
}

function renderAuthorize() {
  const key = state.code.channel === 'SMS' ? 'sign.authorizeSms' : 'sign.authorizeEmail';
  $('authorize-text').textContent = t(key, { destination: state.code.destination });
  // A person account (docs/accounts.md): the account page leads back to this page. With
  // authorization ACCOUNT there is no one-time code.
  const accountOnly = state.authorization === 'ACCOUNT';
  const account = state.account || {};
  $('account-link').href = `/ui/account?return=${encodeURIComponent(location.pathname)}`;
  $('account-link').textContent = t(account.signedIn ? 'sign.accountManage' : 'sign.accountSignIn');
  $('account-required').hidden = !accountOnly;
  $('account-mismatch').hidden = !account.signedIn;
  if (account.signedIn) $('account-mismatch').textContent = t('sign.accountMismatch', { email: account.email });
  $('authorize-text').hidden = accountOnly;
  $('send-code').hidden = accountOnly;
  if (accountOnly) $('code-form').hidden = true;
  $('authorize').hidden = false;
}

function pageFigure(doc, index) {
  const size = doc.pages[index];
  const img = el('img', {
    src: `${API}/document/${encodeURIComponent(doc.id)}/page/${index}?width=1000&v=${encodeURIComponent(doc.version)}`,
    alt: t('sign.pageAlt', { n: index + 1, count: doc.pageCount, name: doc.name }),
    loading: index === 0 ? 'eager' : 'lazy',
    class: 'page-image',
  });
  // The page's size reserves its place before the image arrives, so that nothing below (the
  // signature pad, the buttons) moves while the signer is using it.
  if (size) {
    img.width = Math.max(1, Math.round(size.width));
    img.height = Math.max(1, Math.round(size.height));
  }
  const frame = el('div', { class: 'page-frame' }, img);
  if (size && !doc.signed) {
    for (const box of doc.boxes.filter((b) => b.page === index)) {
      // Positioned through the CSSOM (allowed by the CSP, unlike style attributes).
      const mark = el('div', { class: 'signature-box', role: 'img', 'aria-label': t('sign.boxLabel') },
        el('span', {}, t('sign.boxText')));
      mark.style.left = `${(100 * box.x) / size.width}%`;
      mark.style.top = `${(100 * box.y) / size.height}%`;
      mark.style.width = `${(100 * box.width) / size.width}%`;
      mark.style.height = `${(100 * box.height) / size.height}%`;
      frame.append(mark);
    }
  }
  return el('figure', { class: 'page' }, frame,
    el('figcaption', {}, t('sign.pageCaption', { n: index + 1, count: doc.pageCount })));
}

function renderDocuments() {
  const list = $('document-list');
  list.replaceChildren();
  for (const doc of state.documents) {
    const base = `${API}/document/${encodeURIComponent(doc.id)}/content`;
    const links = [el('a', { href: `${base}?version=original`, download: doc.name, class: 'download-original' },
      t('sign.downloadOriginal'))];
    if (doc.signed)
      links.unshift(el('a', { href: `${base}?version=latest`, download: doc.name, class: 'button download-signed' },
        t('sign.downloadSigned')));
    const pages = [];
    for (let i = 0; i < doc.pageCount; i++) pages.push(pageFigure(doc, i));
    list.append(el('article', { class: 'card document' },
      el('header', {}, el('h3', {}, doc.name),
        el('p', { class: 'hint' }, t(doc.pageCount === 1 ? 'sign.onePage' : 'sign.pages', { count: doc.pageCount }))),
      el('p', { class: 'actions' }, links),
      el('div', { class: 'pages' }, pages)));
  }
  $('box-hint').hidden = state.state !== 'READY';
  $('documents').hidden = false;
}

function renderSigners() {
  const list = $('signer-list');
  list.replaceChildren();
  for (const s of state.signers) {
    const badge = s.status === 'SIGNED' ? 'ok' : s.status === 'DECLINED' ? 'bad' : 'warn';
    list.append(el('li', {},
      el('span', { class: 'name' }, s.me ? t('sign.you', { name: s.name }) : s.name), ' ',
      el('span', { class: `status-badge ${badge}` }, t(`sign.status.${s.status}`)),
      s.signedOn ? [' ', timeElement(s.signedOn)] : null));
  }
  $('signers').hidden = false;
}

/**
 * A level that needs a registration the signer does not have yet (state.registration, see
 * docs/signer-pages.md): the explanation and the button that starts one. True while signing
 * is not possible.
 */
function renderRegistration() {
  const ver = state.verification;
  // A signer created with `verification` (GwG) is identified online before signing
  // (docs/signer-pages.md "Identification"): the same box, with the identification's status.
  if (ver && ver.required && ver.status !== 'VERIFIED') {
    $('registration').hidden = false;
    $('registration-title').textContent = t('sign.verificationTitle');
    $('registration-text').textContent = t(`sign.verification${ver.status}`);
    $('registration-start').hidden = !ver.canStart;
    $('registration-no-mobile').hidden = !!ver.canStart || ver.status === 'REJECTED';
    return true;
  }
  const reg = state.registration;
  const missing = !!(reg && reg.required && reg.status !== 'ACTIVE');
  $('registration').hidden = !missing;
  if (!missing) return false;
  $('registration-title').textContent = t('sign.registrationTitle');
  const where = t(reg.jurisdiction === 'EU' ? 'sign.registrationEu' : 'sign.registrationCh');
  $('registration-text').textContent = t(
    reg.level === 'QUALIFIED' ? 'sign.registrationQualified' : 'sign.registrationAdvanced', { where });
  $('registration-start').hidden = !reg.canStart;
  $('registration-no-mobile').hidden = !!reg.canStart;
  return true;
}

/** Starts a registration for this signer and goes to its page; it leads back here when done. */
function startRegistration() {
  return guarded(async () => {
    const r = await post('/registration');
    location.assign(r.url);
  });
}

function renderMethods() {
  const box = $('methods');
  box.replaceChildren();
  // Without the registration the level needs, signing is refused: no method is offered.
  box.hidden = renderRegistration();
  if (state.methods.length === 0) box.append(el('p', { class: 'notice info' }, t('sign.noMethod')));
  for (const m of state.methods) {
    const label = { SMS: 'sign.methodSms', APP: 'sign.methodApp', PASSKEY: 'sign.methodPasskey',
      OSS: 'sign.methodOss' }[m] || 'sign.methodClick';
    const button = el('button', { class: 'button', type: 'button', 'data-method': m }, t(label));
    // OSS: identify first (the registration page leads back here), then sign in one step.
    const oss = () => (state.verification && state.verification.status === 'VERIFIED'
      ? sign('OSS') : startRegistration());
    const start = { SMS: startSms, APP: startApp, PASSKEY: startPasskey, OSS: oss }[m]
      || (() => sign('CLICK'));
    // A box that asks for a drawn signature: nothing starts (no code is sent) without one.
    button.addEventListener('click', (event) => { if (drawingReady()) start(event); });
    box.append(button);
  }
  $('sign').hidden = false;
  renderPad();
}

let pad = null;

function renderPad() {
  const wanted = state.drawnSignature === true;
  $('pad').hidden = !wanted;
  if (!wanted) return;
  const canvas = $('pad-canvas');
  canvas.setAttribute('aria-label', t('sign.padCanvasLabel'));
  if (!pad) {
    pad = new SignaturePad(canvas, (empty) => {
      canvas.classList.toggle('invalid', false);
      $('pad-status').classList.toggle('error', false);
      $('pad-status').textContent = empty ? '' : t('sign.padDone');
    });
    pad.fit();
  }
}

/**
 * True when no drawing is needed or one is there; otherwise says so under the pad and returns
 * false. The message stays below the canvas: one in the banner above it would move the canvas
 * away from under the pen when it goes again at the first stroke.
 */
function drawingReady() {
  if (state.drawnSignature !== true || (pad && !pad.empty)) return true;
  $('pad-status').textContent = t('sign.padRequired');
  $('pad-status').classList.add('error');
  $('pad-canvas').classList.add('invalid');
  $('pad-name').focus();
  return false;
}

function render() {
  hideAll();
  const back = safeUrl(state.backUrl);
  $('back-link').hidden = !back;
  if (back) $('back-link').href = back;
  const success = safeUrl(state.successUrl);
  $('lead').textContent = t('sign.lead', { name: `${state.signer.firstName} ${state.signer.lastName}`.trim() });
  switch (state.state) {
    case 'EXPIRED':
      showFinal('sign.expiredTitle', 'sign.expiredText', back);
      return;
    case 'DECLINED':
      showFinal('sign.declinedTitle', 'sign.declinedText', back);
      return;
    case 'COMPLETED':
    case 'SIGNED':
      showFinal(state.state === 'SIGNED' ? 'sign.signedTitle' : 'sign.completedTitle',
        state.authorized ? 'sign.signedText' : 'sign.signedAuthorize', success);
      break;
    case 'AUTHORIZE':
      break;
    default: // READY
      renderDocuments();
      renderMethods();
      renderSigners();
      return;
  }
  if (!state.authorized) renderAuthorize();
  else {
    renderDocuments();
    renderSigners();
  }
}

async function reload() {
  state = await fetchJson(API);
  render();
}

async function guarded(fn) {
  showError('');
  try {
    await fn();
  } catch (e) {
    progress('');
    showError(e instanceof ApiError ? e.message : String(e));
    if (e instanceof ApiError && e.status === 401) await reload().catch(() => invalidLink());
  }
}

function sendCode() {
  return guarded(async () => {
    const r = await post('/code', { purpose: 'AUTHORIZE' });
    $('code-hint').textContent = t(r.channel === 'SMS' ? 'sign.codeSentSms' : 'sign.codeSentEmail',
      { destination: r.destination });
    $('code-form').hidden = false;
    $('send-code').textContent = t('sign.sendAgain');
    $('code-input').focus();
  });
}

function confirmCode(event) {
  event.preventDefault();
  return guarded(async () => {
    await post('/authorize', { code: $('code-input').value.trim() });
    $('code-input').value = '';
    $('code-form').hidden = true;
    await reload();
    $('main').focus();
  });
}

function startSms() {
  return guarded(async () => {
    $('passkey').hidden = true;
    await post('/code', { purpose: 'SIGN' });
    $('sms-form').hidden = false;
    $('sms-input').focus();
  });
}

/** APP: the code form when the app is set up, else the enrolment (QR code and key). */
function startApp() {
  return guarded(async () => {
    $('sms-form').hidden = true;
    $('passkey').hidden = true;
    if (state.app && state.app.enrolled) {
      $('app-hint').textContent = t('sign.appHint');
      $('app-form').hidden = false;
      $('app-input').focus();
      return;
    }
    const r = await post('/app/enrol');
    $('app-qr').src = r.qr; // a data: URL of an SVG made by the server (CSP img-src allows data:)
    $('app-qr').alt = t('sign.appQrAlt');
    $('app-secret').textContent = r.secret.replace(/(.{4})(?=.)/g, '$1 ');
    $('app-enrol').hidden = false;
    $('app-enrol-input').focus();
  });
}

function confirmApp(event) {
  event.preventDefault();
  return guarded(async () => {
    await post('/app/confirm', { code: $('app-enrol-input').value.trim() });
    $('app-enrol-input').value = '';
    $('app-enrol').hidden = true;
    $('app-qr').removeAttribute('src');
    $('app-secret').textContent = '';
    state.app = { enrolled: true };
    // A code is accepted once: signing needs the app's next code.
    $('app-hint').textContent = t('sign.appEnrolled');
    $('app-form').hidden = false;
    $('app-input').focus();
  });
}

/** base64url (no padding) to bytes, and back: WebAuthn's binary members travel as base64url. */
function fromBase64url(text) {
  const b64 = text.replace(/-/g, '+').replace(/_/g, '/') + '==='.slice((text.length + 3) % 4);
  return Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
}

function toBase64url(buffer) {
  let s = '';
  for (const b of new Uint8Array(buffer)) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** PASSKEY: registers a passkey the first time, then signs with it. */
function startPasskey() {
  return guarded(async () => {
    $('sms-form').hidden = true;
    $('app-form').hidden = true;
    $('app-enrol').hidden = true;
    if (!window.PublicKeyCredential || !navigator.credentials) throw new Error(t('sign.passkeyUnsupported'));
    showPasskey();
  });
}

function showPasskey() {
  const registered = state.passkey && state.passkey.registered;
  $('passkey-title').textContent = t(registered ? 'sign.passkeySignTitle' : 'sign.passkeyRegisterTitle');
  $('passkey-hint').textContent = t(registered ? 'sign.passkeySignText' : 'sign.passkeyRegisterText');
  $('passkey-button').textContent = t(registered ? 'sign.passkeySign' : 'sign.passkeyRegister');
  $('passkey').hidden = false;
  $('passkey-button').focus();
}

/** The browser's passkey dialog; a cancelled or timed-out one becomes a message. */
async function withPasskey(fn) {
  try {
    return await fn();
  } catch (e) {
    if (e && (e.name === 'NotAllowedError' || e.name === 'AbortError')) throw new Error(t('sign.passkeyCancelled'));
    if (e && e.name === 'InvalidStateError') throw new Error(t('sign.passkeyExists'));
    throw e;
  }
}

function passkeyAction() {
  if (!drawingReady()) return Promise.resolve();
  return guarded(async () => {
    if (!(state.passkey && state.passkey.registered)) {
      const { publicKey } = await post('/passkey/options', { purpose: 'REGISTER' });
      publicKey.challenge = fromBase64url(publicKey.challenge);
      publicKey.user.id = fromBase64url(publicKey.user.id);
      const cred = await withPasskey(() => navigator.credentials.create({ publicKey }));
      await post('/passkey/register', {
        id: cred.id,
        type: cred.type,
        clientDataJSON: toBase64url(cred.response.clientDataJSON),
        attestationObject: toBase64url(cred.response.attestationObject),
      });
      state.passkey = { registered: true };
      showPasskey();
      $('passkey-hint').textContent = t('sign.passkeyRegistered');
      return;
    }
    const { publicKey } = await post('/passkey/options', { purpose: 'SIGN' });
    publicKey.challenge = fromBase64url(publicKey.challenge);
    for (const c of publicKey.allowCredentials) c.id = fromBase64url(c.id);
    const a = await withPasskey(() => navigator.credentials.get({ publicKey }));
    await signNow('PASSKEY', null, {
      id: a.id,
      clientDataJSON: toBase64url(a.response.clientDataJSON),
      authenticatorData: toBase64url(a.response.authenticatorData),
      signature: toBase64url(a.response.signature),
      userHandle: a.response.userHandle ? toBase64url(a.response.userHandle) : '',
    });
  });
}

function sign(method, code) {
  if (!drawingReady()) return Promise.resolve();
  return guarded(() => signNow(method, code, null));
}

async function signNow(method, code, passkey) {
  progress(t('sign.signing'));
  for (const b of $('methods').querySelectorAll('button')) b.disabled = true;
  try {
    const body = { method };
    if (code) body.code = code;
    if (passkey) body.passkey = passkey;
    if (state.drawnSignature === true && pad) body.image = pad.png();
    await post('/sign', body);
  } finally {
    for (const b of $('methods').querySelectorAll('button')) b.disabled = false;
  }
  progress('');
  await reload();
  $('final').focus?.();
}

function decline(event) {
  event.preventDefault();
  return guarded(async () => {
    await post('/decline', { reason: $('decline-reason').value });
    await reload();
  });
}

function invalidLink() {
  hideAll();
  $('lead').textContent = '';
  showFinal('sign.invalidTitle', 'sign.invalidText', null);
}

async function main() {
  let failure = null;
  try {
    state = await fetchJson(API);
  } catch (e) {
    failure = e;
  }
  const asked = new URLSearchParams(location.search).get('lang');
  const lang = asked || (state && state.language ? state.language : null);
  await loadMessages(pickLanguage(lang ? `?lang=${encodeURIComponent(lang)}` : '', navigator.languages));
  applyMessages();
  $('send-code').addEventListener('click', sendCode);
  $('code-form').addEventListener('submit', confirmCode);
  $('sms-form').addEventListener('submit', (event) => {
    event.preventDefault();
    sign('SMS', $('sms-input').value.trim());
  });
  $('app-enrol-form').addEventListener('submit', confirmApp);
  $('app-form').addEventListener('submit', (event) => {
    event.preventDefault();
    sign('APP', $('app-input').value.trim());
  });
  $('passkey-button').addEventListener('click', passkeyAction);
  $('pad-clear').addEventListener('click', () => pad?.clear());
  $('pad-type-form').addEventListener('submit', (event) => {
    event.preventDefault();
    pad?.write($('pad-name').value);
  });
  $('decline-form').addEventListener('submit', decline);
  $('registration-start').addEventListener('click', startRegistration);
  $('registration-check').addEventListener('click', () => guarded(reload));
  if (state) render();
  else if (failure instanceof ApiError && (failure.status === 401 || failure.status === 404)) invalidLink();
  else showError(failure ? failure.message : t('error.network'));
  document.body.dataset.ready = 'true';
}

main();
