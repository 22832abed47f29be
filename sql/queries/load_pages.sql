-- Upsert the latest outcome of every staged URL (staged_pages is the run's Parquet
-- batches; batch_no, then fetched_at, tell which came last).
-- A page that failed or did not change carries no new content: the content columns
-- keep the latest fetch that had content (in this load, else as stored), so the stored
-- raw page and the conditional-request headers survive a bad night.
INSERT INTO pages (
    url, source, status, error, fetched_at, content_hash, bytes, content_type, encoding,
    final_url, etag, last_modified, run_id
)
WITH staged AS (
    SELECT *, (NOT unchanged AND error IS NULL) AS has_content
    FROM staged_pages
)
SELECT
    url,
    last(source ORDER BY batch_no, fetched_at),
    last(status ORDER BY batch_no, fetched_at),
    last(error ORDER BY batch_no, fetched_at),
    last(fetched_at ORDER BY batch_no, fetched_at),
    last(content_hash ORDER BY batch_no, fetched_at) FILTER (WHERE has_content),
    last(bytes ORDER BY batch_no, fetched_at) FILTER (WHERE has_content),
    last(content_type ORDER BY batch_no, fetched_at) FILTER (WHERE has_content),
    last(encoding ORDER BY batch_no, fetched_at) FILTER (WHERE has_content),
    last(final_url ORDER BY batch_no, fetched_at) FILTER (WHERE has_content),
    last(etag ORDER BY batch_no, fetched_at) FILTER (WHERE etag IS NOT NULL),
    last(last_modified ORDER BY batch_no, fetched_at) FILTER (WHERE last_modified IS NOT NULL),
    $run_id
FROM staged
GROUP BY url
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
