// The dev outbox page (/ui/outbox, docs/notify.md): the messages Signet kept because no SMTP
// server or SMS gateway is configured, from GET /ui/api/outbox, newest first. Message text is
// shown as text (never parsed as HTML); http(s) URLs in it become links.
import { applyMessages, el, fetchJson, loadMessages, pickLanguage, t, timeElement } from './ui.js';

const list = document.getElementById('messages');
const status = document.getElementById('status');
const errorBox = document.getElementById('error');
const reload = document.getElementById('reload');

/** Text with every http(s) URL turned into a link, as nodes for el(). */
export function linkify(text) {
  const parts = [];
  const re = /https?:\/\/[^\s<>"]+/g;
  let last = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    // A sentence's final period or parenthesis is not part of the URL.
    let url = m[0];
    while (/[.,;:!?)]$/.test(url)) url = url.slice(0, -1);
    parts.push(text.slice(last, m.index));
    parts.push(el('a', { href: url }, url));
    last = m.index + url.length;
    re.lastIndex = last;
  }
  parts.push(text.slice(last));
  return parts;
}

function messageCard(m) {
  const title = m.channel === 'SMS' ? t('outbox.smsTo', { recipient: m.recipient }) : m.subject;
  return el(
    'article',
    { class: 'card outbox-message', 'data-id': m.id, 'data-kind': m.kind },
    el('h2', {}, title),
    el(
      'p',
      { class: 'outbox-meta' },
      el('span', { class: 'outbox-channel' }, m.channel),
      ` · ${m.kind} · ${m.locale} · ${t('outbox.to')} `,
      el('span', { class: 'outbox-recipient' }, m.recipient),
      ' · ',
      timeElement(m.createdAt),
      m.processId ? ` · ${t('outbox.process', { id: m.processId })}` : null,
    ),
    el('pre', { class: 'outbox-body' }, linkify(m.body)),
  );
}

async function load() {
  reload.disabled = true;
  errorBox.hidden = true;
  try {
    const { messages } = await fetchJson('/ui/api/outbox');
    list.replaceChildren(...messages.map(messageCard));
    status.textContent =
      messages.length === 0
        ? t('outbox.empty')
        : messages.length === 1
          ? t('outbox.countOne')
          : t('outbox.count', { count: messages.length });
    status.hidden = false;
  } catch (e) {
    errorBox.textContent = e.message;
    errorBox.hidden = false;
  } finally {
    reload.disabled = false;
  }
}

reload.addEventListener('click', load);
await loadMessages(pickLanguage());
applyMessages();
await load();
document.body.dataset.ready = 'true';
