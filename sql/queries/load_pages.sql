-- Upsert the latest outcome of every staged URL (staged_pages is the run's Parquet
-- batches, batch_no telling which came last).
-- A page that failed or did not change carries no new content: its content columns
-- stay as the last successful fetch left them, so the stored raw page and the
-- conditional-request headers are not forgotten after one bad night.
INSERT INTO pages (
    url, source, status, error, fetched_at, content_hash, bytes, content_type, encoding,
    final_url, etag, last_modified, run_id
)
SELECT
    url,
    source,
    status,
    error,
    fetched_at,
    CASE WHEN has_content THEN content_hash END,
    CASE WHEN has_content THEN bytes END,
    CASE WHEN has_content THEN content_type END,
    CASE WHEN has_content THEN encoding END,
    CASE WHEN has_content THEN final_url END,
    etag,
    last_modified,
    $run_id
FROM (
    SELECT *, (NOT unchanged AND error IS NULL) AS has_content
    FROM staged_pages
)
QUALIFY row_number() OVER (PARTITION BY url ORDER BY batch_no DESC, fetched_at DESC) = 1
ON CONFLICT (url) DO UPDATE SET
    source        = excluded.source,
    status        = excluded.status,
    error         = excluded.error,
    fetched_at    = excluded.fetched_at,
    content_hash  = COALESCE(excluded.content_hash, pages.content_hash),
    bytes         = COALESCE(excluded.bytes, pages.bytes),
    content_type  = COALESCE(excluded.content_type, pages.content_type),
    encoding      = COALESCE(excluded.encoding, pages.encoding),
    final_url     = COALESCE(excluded.final_url, pages.final_url),
    etag          = COALESCE(excluded.etag, pages.etag),
    last_modified = COALESCE(excluded.last_modified, pages.last_modified),
    run_id        = excluded.run_id;
