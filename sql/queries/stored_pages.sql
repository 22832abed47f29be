-- Pages whose raw body is in the raw store, for `rasd reprocess` and the backfill flow.
-- Parameters: $since and $until (dates or NULL), $urls (a list of URLs or NULL).
SELECT url, source, status, fetched_at, content_hash, bytes, content_type, encoding,
       final_url, etag, last_modified
FROM pages
WHERE content_hash IS NOT NULL
  AND status = 200
  AND ($since IS NULL OR CAST(fetched_at AS DATE) >= $since)
  AND ($until IS NULL OR CAST(fetched_at AS DATE) <= $until)
  AND ($urls IS NULL OR list_contains($urls, url))
ORDER BY url;
