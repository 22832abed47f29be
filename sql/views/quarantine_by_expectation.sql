-- quarantine_by_expectation: which expectations sent rows to quarantine, per run and kind?
-- A row that broke several expectations is counted once under each of them, so the rows of
-- one run can add up to more than runs.quarantined.
-- Columns: run_id, kind, expectation, rows, example_record_id.
CREATE OR REPLACE VIEW quarantine_by_expectation AS
WITH broken AS (
    SELECT
        run_id,
        kind,
        record_id,
        trim(unnest(string_split(failed_expectations, ',')))  AS expectation
    FROM quarantine
)
SELECT
    run_id,
    kind,
    expectation,
    count(*)                                                AS rows,
    min(record_id)                                          AS example_record_id
FROM broken
WHERE expectation <> ''
GROUP BY run_id, kind, expectation
ORDER BY run_id, rows DESC, kind, expectation;

COMMENT ON VIEW quarantine_by_expectation IS 'Quarantined rows per run, kind and broken expectation (failed_expectations unnested).';
COMMENT ON COLUMN quarantine_by_expectation.run_id IS 'The run that quarantined the rows.';
COMMENT ON COLUMN quarantine_by_expectation.kind IS 'article or event.';
COMMENT ON COLUMN quarantine_by_expectation.expectation IS 'Name of the expectation the rows broke.';
COMMENT ON COLUMN quarantine_by_expectation.rows IS 'Quarantined rows that broke it (a row breaking several expectations counts under each).';
COMMENT ON COLUMN quarantine_by_expectation.example_record_id IS 'One such row''s article_id or event_id (the first in sort order), to look at.';
