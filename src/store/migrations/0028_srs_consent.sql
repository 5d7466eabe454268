-- The person's consent that the service provider receives their identity data and the
-- evidence (docs/srs.md "Consent"), decided on the terms-of-use page with the acceptance.
-- consent_given: 1 given, 0 refused or withdrawn, NULL not decided (terms not accepted yet, or
-- accepted before this migration: no consent). consent_at: when it was last decided (the
-- acceptance, or a later withdrawal or grant); consent_text_hash: SHA-256 (hex) of the exact
-- consent text shown (in the page's language, with the organization's name). Every decision
-- is also an audit record (CONSENT_GIVEN, CONSENT_REFUSED, CONSENT_WITHDRAWN).
ALTER TABLE srs_registrations ADD COLUMN consent_given BIGINT;
ALTER TABLE srs_registrations ADD COLUMN consent_at BIGINT;
ALTER TABLE srs_registrations ADD COLUMN consent_text_hash TEXT;
