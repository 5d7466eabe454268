// Person accounts (/ui/account, docs/accounts.md): create an account, confirm the e-mail with
// the link (?verify=TOKEN), sign in and out, add and confirm a mobile number with an SMS code,
// change the password. With ?return=/ui/sign/… (only a same-origin path under /ui/) the page
// leads back to the signer page once signed in. Every POST with a session carries its CSRF
// token in X-CSRF-Token; server texts go in with textContent only.
import { loadMessages, pickLanguage, applyMessages, t, fetchJson } from './ui.js';

const API = '/ui/account/api';
let csrf = '';

const $ = (id) => document.getElementById(id);

function showError(message) {
  $('error').textContent = message || '';
  $('error').hidden = !message;
}

function showInfo(message) {
  $('info').textContent = message || '';
  $('info').hidden = !message;
}

/** The return path when it is a same-origin path of Signet's pages, else null. */
export function safeReturn(value) {
  if (typeof value !== 'string' || !value.startsWith('/ui/') || value.includes('\\')) return null;
  if (/[\u0000-\u001f]/.test(value) || value.startsWith('//')) return null;
  try {
    const url = new URL(value, location.origin);
    return url.origin === location.origin ? url.pathname + url.search : null;
  } catch (e) {
    return null;
  }
}

const params = new URLSearchParams(location.search);
const returnTo = safeReturn(params.get('return'));

async function api(path, { method = 'GET', body } = {}) {
  const options = { method, headers: {} };
  if (method !== 'GET') {
    options.headers['Content-Type'] = 'application/json';
    if (csrf) options.headers['X-CSRF-Token'] = csrf;
    options.body = JSON.stringify(body || {});
  }
  return fetchJson(API + path, options);
}

async function guarded(action) {
  showError('');
  try {
    await action();
  } catch (e) {
    showError(e.message);
  }
}

function showSignedOut() {
  csrf = '';
  $('signed-in').hidden = true;
  $('who').hidden = true;
  $('signed-out').hidden = false;
}

function badge(node, verified, present) {
  node.hidden = !present;
  node.className = `status-badge ${verified ? 'ok' : 'bad'}`;
  node.textContent = verified ? t('account.verified') : t('account.notVerified');
}

function showSignedIn(session) {
  csrf = session.csrfToken;
  $('signed-out').hidden = true;
  $('signed-in').hidden = false;
  $('who').hidden = false;
  $('who-text').textContent = session.email;
  $('email-value').textContent = session.email;
  badge($('email-state'), session.emailVerified, true);
  $('mobile-value').textContent = session.mobile || t('account.noMobile');
  badge($('mobile-state'), session.mobileVerified, Boolean(session.mobile));
  $('resend-box').hidden = session.emailVerified;
  $('continue-box').hidden = !returnTo;
  if (returnTo) $('continue').href = returnTo;
}

async function loadSession() {
  try {
    showSignedIn(await api('/session'));
  } catch (e) {
    if (e.status === 401) showSignedOut();
    else showError(e.message);
  }
}

async function verifyLink(token) {
  // The token leaves the address bar at once (it is a secret of the link).
  history.replaceState(null, '', location.pathname);
  try {
    const r = await api('/verify-email', { method: 'POST', body: { token } });
    showInfo(t('account.emailVerified', { email: r.email }));
  } catch (e) {
    showError(e.message);
  }
}

function bind() {
  $('signin-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    guarded(async () => {
      const session = await api('/login', {
        method: 'POST',
        body: { email: $('email').value, password: $('password').value },
      });
      $('signin-form').reset();
      if (returnTo && (session.emailVerified || session.mobileVerified)) {
        location.assign(returnTo);
        return;
      }
      showSignedIn(session);
    });
  });
  $('create-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    guarded(async () => {
      const email = $('new-email').value;
      await api('/create', {
        method: 'POST',
        body: { email, password: $('new-password').value, language: document.documentElement.lang },
      });
      $('create-form').reset();
      showInfo(t('account.checkEmail', { email }));
    });
  });
  $('sign-out').addEventListener('click', () =>
    guarded(async () => {
      await api('/logout', { method: 'POST' });
      showSignedOut();
      showInfo(t('account.signedOut'));
    }),
  );
  $('resend').addEventListener('click', () =>
    guarded(async () => {
      await api('/email/resend', { method: 'POST', body: { language: document.documentElement.lang } });
      showInfo(t('account.linkSent'));
    }),
  );
  $('mobile-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    guarded(async () => {
      await api('/mobile', {
        method: 'POST',
        body: { mobile: $('mobile').value.replace(/\s+/g, ''), language: document.documentElement.lang },
      });
      $('code-form').hidden = false;
      $('code').focus();
      showInfo(t('account.codeSent'));
    });
  });
  $('code-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    guarded(async () => {
      const session = await api('/mobile/verify', { method: 'POST', body: { code: $('code').value } });
      $('code-form').reset();
      $('code-form').hidden = true;
      showInfo(t('account.mobileVerified'));
      showSignedIn(session);
    });
  });
  $('password-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    guarded(async () => {
      await api('/password', {
        method: 'POST',
        body: { current: $('current').value, new: $('next').value },
      });
      $('password-form').reset();
      showInfo(t('account.passwordChanged'));
    });
  });
}

async function main() {
  await loadMessages(pickLanguage());
  applyMessages();
  bind();
  $('return-note').hidden = !returnTo;
  const token = params.get('verify');
  if (token) await verifyLink(token);
  await loadSession();
}

main();
