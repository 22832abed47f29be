-- What the last fetch of each URL saw, for conditional requests (ETag, Last-Modified)
-- and for recognising an unchanged body by its hash.
SELECT url, etag, last_modified, content_hash
FROM pages
WHERE etag IS NOT NULL OR last_modified IS NOT NULL OR content_hash IS NOT NULL;
