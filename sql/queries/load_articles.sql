-- Upsert the staged articles on their deterministic id; the latest batch wins.
INSERT OR REPLACE INTO articles (
    article_id, url, source, site, title, published_at, language, text, content_hash,
    run_id, loaded_at
)
SELECT
    article_id, url, source, site, title, published_at, language, text, content_hash,
    $run_id, $loaded_at
FROM staged_articles
QUALIFY row_number() OVER (PARTITION BY article_id ORDER BY batch_no DESC) = 1;
