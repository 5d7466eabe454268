-- Reminders (src/sign/reminders.c, docs/notify.md): what the "reminders" job has sent. One row
-- per reminder slot of a signer: "interval-N" (the N-th reminder every reminder.interval) or
-- "before-MS" (the reminder MS milliseconds before validUntil). The primary key makes a slot
-- claimable once: a second node or a run after a restart finds the row and sends nothing.
-- Times are BIGINT milliseconds since the epoch (UTC).
CREATE TABLE reminder_sends (
    organization_id TEXT NOT NULL,
    process_id      TEXT NOT NULL REFERENCES processes (id),
    participant_id  TEXT NOT NULL REFERENCES process_participants (id),
    slot            TEXT NOT NULL,
    due_at          BIGINT NOT NULL, -- when the slot fell due
    sent_at         BIGINT NOT NULL, -- the as-of time of the run that sent it (the message's
                                     -- outbox id is in the audit record email/sms INITIALIZE)
    PRIMARY KEY (process_id, participant_id, slot)
);
CREATE INDEX reminder_sends_by_org ON reminder_sends (organization_id, process_id);
