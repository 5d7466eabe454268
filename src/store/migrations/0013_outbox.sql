-- Notifications (src/notify/, docs/notify.md): the persistent outbox. A message is written in
-- the transaction that makes the change it reports and delivered afterwards by the "delivery"
-- job, which claims it with a conditional UPDATE (QUEUED -> SENDING), so a message is sent by
-- one node once. status: QUEUED (due at next_attempt_at), SENDING (claimed until
-- next_attempt_at, the lease; then it is retried), SENT, FAILED (after the configured number of
-- attempts), DEV (no gateway configured: kept for the dev outbox page /ui/outbox).
-- last_error never holds personal data or codes (only the transport's error kind).
-- Times are BIGINT milliseconds since the epoch (UTC).
CREATE TABLE outbox (
    id              TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL,
    process_id      TEXT,
    participant_id  TEXT,
    kind            TEXT NOT NULL,  -- INVITE | CODE | REMINDER | COMPLETED | DECLINED | EXPIRED
    channel         TEXT NOT NULL,  -- EMAIL | SMS
    recipient       TEXT NOT NULL,
    subject         TEXT NOT NULL,  -- "" for SMS
    body            TEXT NOT NULL,
    locale          TEXT NOT NULL,
    status          TEXT NOT NULL,
    attempts        BIGINT NOT NULL,
    next_attempt_at BIGINT NOT NULL,
    last_error      TEXT,
    created_at      BIGINT NOT NULL,
    sent_at         BIGINT
);
-- The delivery job's scan (every organization): QUEUED messages due, SENDING ones whose lease
-- ran out.
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
-- An organization's messages, e.g. of one process.
CREATE INDEX outbox_by_org ON outbox (organization_id, process_id, created_at);
-- The dev outbox page: newest first.
CREATE INDEX outbox_by_created ON outbox (created_at);
