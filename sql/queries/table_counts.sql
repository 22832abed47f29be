-- Rows per core table, for run summaries.
SELECT 'runs' AS table_name, count(*) AS n FROM runs
UNION ALL SELECT 'pages', count(*) FROM pages
UNION ALL SELECT 'articles', count(*) FROM articles
UNION ALL SELECT 'events', count(*) FROM events
UNION ALL SELECT 'quarantine', count(*) FROM quarantine;
