-- page_errors_by_class: why did pages fail, per run?
-- pages keeps the latest outcome of each URL, so a run is charged with the URLs whose latest
-- attempt it made and that failed. The error class is "HTTP <status>" when the server
-- answered with an error status, otherwise the text of the error before its first ':' or '('.
-- Columns: run_id, error_class, pages, example_url.
CREATE OR REPLACE VIEW page_errors_by_class AS
WITH failed AS (
    SELECT
        run_id,
        url,
        CASE
            WHEN status >= 400 THEN 'HTTP ' || status
            ELSE coalesce(nullif(trim(regexp_extract(error, '^([^:(]*)', 1)), ''), 'unknown')
        END                                                 AS error_class
    FROM pages
    WHERE error IS NOT NULL
)
SELECT
    run_id,
    error_class,
    count(*)                                                AS pages,
    min(url)                                                AS example_url
FROM failed
GROUP BY run_id, error_class
ORDER BY run_id, pages DESC, error_class;

COMMENT ON VIEW page_errors_by_class IS 'Failed URLs per run and class of error (latest outcome of each URL).';
COMMENT ON COLUMN page_errors_by_class.run_id IS 'The run that last attempted the URLs.';
COMMENT ON COLUMN page_errors_by_class.error_class IS 'HTTP <status> for error statuses, otherwise the start of the error text (before the first colon or parenthesis).';
COMMENT ON COLUMN page_errors_by_class.pages IS 'URLs that failed with this class of error.';
COMMENT ON COLUMN page_errors_by_class.example_url IS 'One of those URLs (the first in sort order), to look at.';
