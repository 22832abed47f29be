-- run_quality: how healthy was each run? Its counts, the share of pages that failed, why they
-- failed (from page_errors_by_class) and which expectations quarantined rows (from
-- quarantine_by_expectation). Newest run first.
-- Columns: run_id, started_at, finished_at, duration_seconds, status, pages_attempted,
--          pages_fetched, pages_failed, pages_unchanged, failure_rate, articles, events,
--          quarantined, quarantined_articles, quarantined_events, page_errors,
--          quarantine_reasons, message.
CREATE OR REPLACE VIEW run_quality AS
WITH errors AS (
    SELECT
        run_id,
        string_agg(error_class || ': ' || pages, '; ' ORDER BY pages DESC, error_class) AS page_errors
    FROM page_errors_by_class
    GROUP BY run_id
),
reasons AS (
    SELECT
        run_id,
        string_agg(kind || '/' || expectation || ': ' || rows, '; '
                   ORDER BY rows DESC, kind, expectation)      AS quarantine_reasons
    FROM quarantine_by_expectation
    GROUP BY run_id
),
quarantined AS (
    SELECT
        run_id,
        count(*) FILTER (WHERE kind = 'article')            AS quarantined_articles,
        count(*) FILTER (WHERE kind = 'event')              AS quarantined_events
    FROM quarantine
    GROUP BY run_id
)
SELECT
    r.run_id,
    r.started_at,
    r.finished_at,
    CAST(epoch(r.finished_at) - epoch(r.started_at) AS DOUBLE) AS duration_seconds,
    r.status,
    r.pages_attempted,
    r.pages_fetched,
    r.pages_failed,
    r.pages_unchanged,
    round(r.pages_failed / nullif(r.pages_attempted, 0), 4) AS failure_rate,
    r.articles,
    r.events,
    r.quarantined,
    coalesce(q.quarantined_articles, 0)                     AS quarantined_articles,
    coalesce(q.quarantined_events, 0)                       AS quarantined_events,
    coalesce(e.page_errors, '')                             AS page_errors,
    coalesce(s.quarantine_reasons, '')                      AS quarantine_reasons,
    r.message
FROM runs AS r
LEFT JOIN errors AS e USING (run_id)
LEFT JOIN reasons AS s USING (run_id)
LEFT JOIN quarantined AS q USING (run_id)
ORDER BY r.started_at DESC;

COMMENT ON VIEW run_quality IS 'One row per run: its counts, failure rate, why pages failed and why rows were quarantined. Newest first.';
COMMENT ON COLUMN run_quality.run_id IS 'Identifier of the run.';
COMMENT ON COLUMN run_quality.started_at IS 'When the run started (UTC).';
COMMENT ON COLUMN run_quality.finished_at IS 'When the run finished (UTC); null while running or if it was killed.';
COMMENT ON COLUMN run_quality.duration_seconds IS 'Seconds from start to finish; null when unfinished.';
COMMENT ON COLUMN run_quality.status IS 'running, completed, or failed.';
COMMENT ON COLUMN run_quality.pages_attempted IS 'URLs attempted in the run.';
COMMENT ON COLUMN run_quality.pages_fetched IS 'URLs fetched with new or changed content.';
COMMENT ON COLUMN run_quality.pages_failed IS 'URLs that failed.';
COMMENT ON COLUMN run_quality.pages_unchanged IS 'URLs skipped because unchanged since the last run.';
COMMENT ON COLUMN run_quality.failure_rate IS 'pages_failed / pages_attempted, 0 to 1; null when nothing was attempted.';
COMMENT ON COLUMN run_quality.articles IS 'Articles loaded in the run.';
COMMENT ON COLUMN run_quality.events IS 'Events loaded in the run.';
COMMENT ON COLUMN run_quality.quarantined IS 'Rows quarantined in the run, as the run counted them.';
COMMENT ON COLUMN run_quality.quarantined_articles IS 'Article rows in quarantine from the run.';
COMMENT ON COLUMN run_quality.quarantined_events IS 'Event rows in quarantine from the run.';
COMMENT ON COLUMN run_quality.page_errors IS 'Failed URLs by error class, most frequent first, e.g. "HTTP 404: 3; timeout: 1" (latest outcome of each URL).';
COMMENT ON COLUMN run_quality.quarantine_reasons IS 'Quarantined rows by kind and expectation, most frequent first, e.g. "event/fatalities_in_range: 2".';
COMMENT ON COLUMN run_quality.message IS 'Readable note on how the run ended.';
