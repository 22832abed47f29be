-- Keep every quarantined row once: the id hashes kind, record id, reasons and content,
-- so the same rejection seen again is ignored and a changed one is kept beside it.
INSERT INTO quarantine (
    quarantine_id, run_id, kind, record_id, url, failed_expectations, record, quarantined_at
)
SELECT
    quarantine_id, $run_id, kind, record_id, url, failed_expectations, CAST(record AS JSON),
    quarantined_at
FROM staged_quarantine
QUALIFY row_number() OVER (PARTITION BY quarantine_id ORDER BY batch_no) = 1
ON CONFLICT (quarantine_id) DO NOTHING;
