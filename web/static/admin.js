// The admin cockpit (/ui/admin, docs/cockpit.md): sign-in, API credentials, teams and their
// members, processes with their audit records, and the admin's authenticator app. Every POST
// carries the session's CSRF token in X-CSRF-Token; server texts go in with textContent only.
import { loadMessages, pickLanguage, applyMessages, t, fetchJson, el, timeElement } from './ui.js';

const API = '/ui/admin/api';
let csrf = '';
let page = 0;
let lastPage = true;

const $ = (id) => document.getElementById(id);

function showError(message) {
  const box = $('error');
  box.textContent = message || '';
  box.hidden = !message;
}

function say(message) {
  $('status').textContent = message;
}

async function api(path, { method = 'GET', body } = {}) {
  const options = { method, headers: {} };
  if (method !== 'GET') {
    options.headers['X-CSRF-Token'] = csrf;
    options.headers['Content-Type'] = 'application/json';
    options.body = JSON.stringify(body || {});
  }
  try {
    return await fetchJson(API + path, options);
  } catch (e) {
    if (e.status === 401 && path !== '/login') showSignIn();
    throw e;
  }
}

/* Runs an action, showing its failure in the alert. */
async function guarded(action) {
  showError('');
  try {
    await action();
  } catch (e) {
    showError(e.message);
  }
}

function showSignIn() {
  csrf = '';
  $('cockpit').hidden = true;
  $('who').hidden = true;
  $('signin').hidden = false;
}

async function showCockpit(session) {
  csrf = session.csrfToken;
  $('signin').hidden = true;
  $('signin-form').reset();
  $('cockpit').hidden = false;
  $('who').hidden = false;
  $('who-text').textContent = session.email;
  $('org-title').textContent = session.organization.name;
  showTotpState(session.totpEnrolled);
  await Promise.all([loadClients(), loadTeams(), loadProcesses()]);
}

/* ---- API credentials ---- */

async function loadClients() {
  const { clients } = await api('/clients');
  const body = $('clients').tBodies[0];
  body.replaceChildren(
    ...clients.map((c) =>
      el('tr', { 'data-client': c.clientId },
        el('td', { 'data-label': t('admin.clientId') }, el('code', {}, c.clientId)),
        el('td', { 'data-label': t('admin.description') }, c.description),
        el('td', { 'data-label': t('admin.scopes') }, c.scopes.split(' ').map((s) => [el('code', {}, s), ' '])),
        el('td', { 'data-label': t('admin.state') }, c.revoked
          ? el('span', { class: 'status-badge bad' }, t('admin.revoked'))
          : el('span', { class: 'status-badge ok' }, t('admin.active'))),
        el('td', {}, c.revoked ? null : revokeButton(c)))),
  );
}

function revokeButton(c) {
  const b = el('button', { type: 'button', class: 'button secondary' }, t('admin.revoke'));
  b.addEventListener('click', () => guarded(async () => {
    if (!window.confirm(t('admin.revokeConfirm', { id: c.clientId }))) return;
    await api(`/clients/${encodeURIComponent(c.clientId)}/revoke`, { method: 'POST' });
    say(t('admin.revokedOne', { id: c.clientId }));
    await loadClients();
  }));
  return b;
}

async function createClient(event) {
  event.preventDefault();
  await guarded(async () => {
    const scopes = [...document.querySelectorAll('input[name=scope]:checked')].map((i) => i.value);
    if (!scopes.length) throw new Error(t('admin.needScope'));
    const created = await api('/clients', {
      method: 'POST',
      body: { scopes: scopes.join(' '), description: $('client-description').value },
    });
    $('new-client-id').textContent = created.clientId;
    $('new-client-secret').textContent = created.clientSecret;
    $('secret-box').hidden = false;
    $('client-form').reset();
    await loadClients();
  });
}

function hideSecret() {
  $('new-client-id').textContent = '';
  $('new-client-secret').textContent = '';
  $('secret-box').hidden = true;
}

/* ---- Teams ---- */

async function loadTeams() {
  const { teams } = await api('/teams');
  $('team-list').replaceChildren(...teams.map(teamItem));
}

function teamItem(team) {
  const members = el('ul', { class: 'members' },
    team.members.map((email) => {
      const remove = el('button', { type: 'button', class: 'link-button',
        'aria-label': t('admin.removeMember', { email }) }, '×');
      remove.addEventListener('click', () => guarded(async () => {
        await api(`/teams/${team.id}/members/remove`, { method: 'POST', body: { email } });
        await loadTeams();
      }));
      return el('li', {}, email, remove);
    }));
  const input = el('input', { type: 'email', maxlength: '254', required: true,
    'aria-label': t('admin.memberEmail') , placeholder: t('admin.memberEmail') });
  const form = el('form', { class: 'inline' }, input,
    el('button', { type: 'submit', class: 'button secondary' }, t('admin.addMember')));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    guarded(async () => {
      await api(`/teams/${team.id}/members`, { method: 'POST', body: { email: input.value } });
      await loadTeams();
    });
  });
  return el('li', { 'data-team': team.name }, el('h3', {}, team.name),
    el('p', { class: 'hint' }, el('code', {}, team.id)),
    team.members.length ? members : el('p', {}, t('admin.noMembers')), form);
}

async function createTeam(event) {
  event.preventDefault();
  await guarded(async () => {
    await api('/teams', { method: 'POST', body: { name: $('team-name').value } });
    $('team-form').reset();
    await loadTeams();
  });
}

/* ---- Processes ---- */

function signerName(p) {
  return p.name || [p.firstName, p.lastName].filter(Boolean).join(' ') || p.email || p.identification;
}

function signersOf(process) {
  return ((process.invitees && process.invitees.signers) || []).map((s) => s.person || s.nonPerson || s);
}

async function loadProcesses() {
  const query = new URLSearchParams({ page: String(page), size: '10' });
  if ($('process-status').value) query.set('status', $('process-status').value);
  if ($('process-search').value.trim()) query.set('q', $('process-search').value.trim());
  const result = await api(`/processes?${query}`);
  const rows = result.content.map((p) => {
    const open = el('button', { type: 'button', class: 'link-button' }, el('code', {}, p.id));
    open.addEventListener('click', () => guarded(() => showProcess(p.id)));
    return el('tr', { 'data-process': p.id },
      el('td', { 'data-label': t('admin.process') }, open),
      el('td', { 'data-label': t('admin.status') }, el('span', { class: 'status-badge' }, p.status)),
      el('td', { 'data-label': t('admin.signers') }, signersOf(p).map(signerName).join(', ')),
      el('td', { 'data-label': t('admin.created') }, p.createdDate ? timeElement(p.createdDate) : ''));
  });
  $('process-table').tBodies[0].replaceChildren(...rows);
  $('process-empty').hidden = rows.length > 0;
  lastPage = result.last;
  $('page-prev').disabled = page === 0;
  $('page-next').disabled = lastPage;
  $('page-info').textContent = t('admin.pageOf', {
    page: result.page.number + 1, pages: Math.max(result.page.totalPages, 1) });
}

async function showProcess(id) {
  const { process, records } = await api(`/processes/${encodeURIComponent(id)}`);
  $('detail-title').textContent = t('admin.processTitle', { id: process.id });
  const facts = [
    [t('admin.status'), process.status],
    [t('admin.level'), process.signatureLevel],
    [t('admin.created'), process.createdDate ? timeElement(process.createdDate) : ''],
    [t('admin.validUntil'), process.validUntil ? timeElement(process.validUntil) : ''],
  ];
  $('detail-facts').replaceChildren(...facts.flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v)]));
  const signers = (process.invitees && process.invitees.signers) || [];
  $('detail-signers').replaceChildren(...signers.map((s) => {
    const who = s.person || s.nonPerson || s;
    return el('li', {}, signerName(who), ' ', el('span', { class: 'status-badge' }, s.status || ''),
      who.externalIdentifier ? [' ', el('code', {}, who.externalIdentifier)] : null);
  }));
  const list = records || [];
  $('detail-records').replaceChildren(...list.map((r) => el('li', { 'data-action': r.action },
    el('strong', {}, r.action), ' ', el('span', { class: 'status-badge' }, r.status), ' ',
    r.createdDate ? timeElement(r.createdDate) : '',
    r.extras && Object.keys(r.extras).length
      ? el('div', { class: 'extras' }, Object.entries(r.extras).map(([k, v]) => `${k}: ${v}`).join(' · '))
      : null)));
  $('process-detail').hidden = false;
  $('process-detail').scrollIntoView({ block: 'nearest' });
}

/* ---- Authenticator app ---- */

function showTotpState(enrolled) {
  $('totp-state').textContent = enrolled ? t('admin.totpOn') : t('admin.totpOff');
  $('totp-start').textContent = enrolled ? t('admin.totpRestart') : t('admin.totpStart');
}

async function startTotp() {
  await guarded(async () => {
    const e = await api('/totp/enrol', { method: 'POST' });
    $('totp-qr').src = e.qr;
    $('totp-secret').textContent = e.secret;
    $('totp-enrol').hidden = false;
  });
}

async function confirmTotp(event) {
  event.preventDefault();
  await guarded(async () => {
    await api('/totp/confirm', { method: 'POST', body: { code: $('totp-code').value.trim() } });
    $('totp-enrol').hidden = true;
    $('totp-secret').textContent = '';
    $('totp-qr').removeAttribute('src');
    $('totp-form').reset();
    showTotpState(true);
    say(t('admin.totpOn'));
  });
}

/* ---- Sign-in ---- */

async function signIn(event) {
  event.preventDefault();
  await guarded(async () => {
    const body = { email: $('email').value.trim(), password: $('password').value };
    if ($('code').value.trim()) body.code = $('code').value.trim();
    const session = await api('/login', { method: 'POST', body });
    await showCockpit(session);
  });
}

async function signOut() {
  await guarded(async () => {
    await api('/logout', { method: 'POST' });
    hideSecret();
    showSignIn();
    say(t('admin.signedOut'));
  });
}

async function main() {
  await loadMessages(pickLanguage());
  applyMessages();
  $('signin-form').addEventListener('submit', signIn);
  $('sign-out').addEventListener('click', signOut);
  $('client-form').addEventListener('submit', createClient);
  $('secret-done').addEventListener('click', hideSecret);
  $('team-form').addEventListener('submit', createTeam);
  $('process-filter').addEventListener('submit', (e) => {
    e.preventDefault();
    page = 0;
    guarded(loadProcesses);
  });
  $('page-prev').addEventListener('click', () => { page = Math.max(0, page - 1); guarded(loadProcesses); });
  $('page-next').addEventListener('click', () => { if (!lastPage) { page += 1; guarded(loadProcesses); } });
  $('totp-start').addEventListener('click', startTotp);
  $('totp-form').addEventListener('submit', confirmTotp);
  try {
    const session = await fetchJson(`${API}/session`);
    await showCockpit(session);
  } catch (e) {
    if (e.status !== 401) showError(e.message);
    showSignIn();
  }
  document.body.dataset.ready = 'true';
}

main();
