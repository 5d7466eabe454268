-- Background jobs (src/jobs/): one row per kind of job ("expiry", later "reminders", …).
-- A node runs a job only after claiming its lease in a transaction (lease_owner /
-- lease_until), so with several nodes on one database a job runs on one node at a time, and
-- next_run_at spaces the runs cluster-wide. The rows are the scheduler's state: it survives
-- restarts, and a lease left by a node that died expires at lease_until. The work items
-- themselves are claimed row by row by the job (a conditional UPDATE), so even two
-- overlapping runs never process one item twice. Times are BIGINT ms since the epoch (UTC).
CREATE TABLE scheduled_jobs (
    name             TEXT PRIMARY KEY,
    next_run_at      BIGINT NOT NULL,
    lease_owner      TEXT,
    lease_until      BIGINT,
    last_owner       TEXT,
    last_started_at  BIGINT,
    last_finished_at BIGINT,
    last_result      TEXT,
    runs             BIGINT NOT NULL,
    items            BIGINT NOT NULL
);

-- The expiry job's scan (every organization): processes still CREATED or PENDING whose
-- valid_until has passed.
CREATE INDEX processes_due ON processes (status, valid_until);
