-- Which articles report the same event, and what do they agree on?
-- One row per (event_date, country, location, event_type): the reports of that incident
-- from every article and source grouped together, the way ACLED merges reports of one day,
-- place and kind of event. A "report" is one article: its figures for the incident are the
-- sum over its events there (one article may code two events at one place and day, for
-- different sides). Fatalities and injuries take the lowest figure across reports
-- (ACLED's rule where sources differ). Events without a date cannot be matched and are
-- left out.
CREATE OR REPLACE VIEW event_clusters AS
WITH reported AS (
    SELECT
        e.*,
        coalesce(a.site, a.source, regexp_extract(e.url, '^[A-Za-z]+://([^/]+)', 1)) AS outlet
    FROM events AS e
    LEFT JOIN articles AS a ON a.article_id = e.article_id
    WHERE e.event_date IS NOT NULL
),
per_report AS (
    SELECT
        event_date, country, location, event_type, article_id,
        count(*) AS n_events,
        sum(fatalities) AS fatalities,
        sum(injuries) AS injuries
    FROM reported
    GROUP BY ALL
),
per_cluster AS (
    SELECT
        event_date, country, location, event_type,
        max(n_events) AS n_events,
        min(fatalities) AS fatalities,
        min(injuries) AS injuries,
        count(*) AS n_reports
    FROM per_report
    GROUP BY ALL
),
sub_type_votes AS (
    SELECT event_date, country, location, event_type, sub_event_type, count(*) AS votes
    FROM reported
    GROUP BY ALL
),
sub_type AS (
    SELECT
        event_date, country, location, event_type,
        first(sub_event_type ORDER BY votes DESC, sub_event_type) AS sub_event_type
    FROM sub_type_votes
    GROUP BY ALL
),
details AS (
    SELECT
        event_date, country, location, event_type,
        first(latitude ORDER BY event_id) FILTER (WHERE latitude IS NOT NULL) AS latitude,
        first(longitude ORDER BY event_id) FILTER (WHERE longitude IS NOT NULL) AS longitude,
        count(DISTINCT outlet) AS n_sources,
        min(loaded_at) AS first_loaded,
        max(loaded_at) AS last_loaded,
        list(event_id ORDER BY event_id) AS event_ids,
        list_sort(list_distinct(list(url))) AS urls
    FROM reported
    GROUP BY ALL
)
SELECT
    md5(concat_ws('|', strftime(c.event_date, '%Y-%m-%d'), c.country, c.location, c.event_type))
        AS cluster_id,
    c.event_date,
    c.event_type,
    s.sub_event_type,
    c.location,
    c.country,
    d.latitude,
    d.longitude,
    c.fatalities,
    c.injuries,
    c.n_events,
    c.n_reports,
    d.n_sources,
    d.first_loaded,
    d.last_loaded,
    d.event_ids,
    d.urls
FROM per_cluster AS c
JOIN sub_type AS s USING (event_date, country, location, event_type)
JOIN details AS d USING (event_date, country, location, event_type);
