-- Retention and deletion of SRS personal data (docs/srs.md "Retention", "Export and
-- deletion"). When a registration's retention ends (the "srs-retention" job) or its data is
-- deleted on request, the wrapped data key is destroyed (data_key_wrapped becomes an empty
-- value: the column stays NOT NULL), the sealed prefill, identity and evidence, the mobile
-- lookup value, the external identifier and the partner's rejection text are removed; the row keeps only non-personal
-- metadata (status, jurisdiction, level, method, times) for statistics and the audit trail.
-- data_ended_at: when that happened (NULL: the data is still there); data_ended_by:
-- RETENTION (the job) or REQUEST (DELETE by the service provider).
ALTER TABLE srs_registrations ADD COLUMN data_ended_at BIGINT;
ALTER TABLE srs_registrations ADD COLUMN data_ended_by TEXT;
CREATE INDEX srs_registrations_retention ON srs_registrations (jurisdiction, data_ended_at, created_at);
