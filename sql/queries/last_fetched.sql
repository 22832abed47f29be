-- When each URL last answered with its content (200 or 304), for skipping pages whose
-- sitemap lastmod is not newer than that.
SELECT url, fetched_at
FROM pages
WHERE error IS NULL AND status IN (200, 304) AND content_hash IS NOT NULL;
