-- A digest of the analyst-facing catalog: the definition and comment of every table and
-- view in the main schema. Rows loaded into the tables do not change it; a view dropped or
-- replaced by hand does. (Macros are left out: listing them costs more than the whole
-- rest of opening the warehouse.)
SELECT md5(coalesce(string_agg(
    concat_ws(chr(31), kind, name, coalesce(sql, ''), coalesce(comment, '')),
    chr(30) ORDER BY kind, name
), ''))
FROM (
    SELECT 'table' AS kind, table_name AS name, sql, comment
    FROM duckdb_tables()
    WHERE database_name = current_database() AND schema_name = 'main'
    UNION ALL
    SELECT 'view', view_name, sql, comment
    FROM duckdb_views()
    WHERE database_name = current_database() AND schema_name = 'main' AND NOT internal
);
