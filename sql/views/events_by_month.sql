-- events_by_month: how many events, fatalities and injuries per calendar month, by event type
-- and town? One row per (month, event_type, location, country). Undated events are left out.
-- Columns: month (YYYY-MM), month_start, event_type, location, admin1, country, events,
--          fatalities, injuries.
CREATE OR REPLACE VIEW events_by_month AS
WITH dated AS (
    SELECT *
    FROM events
    WHERE event_date IS NOT NULL
)
SELECT
    strftime(event_date, '%Y-%m')                       AS month,
    CAST(date_trunc('month', event_date) AS DATE)       AS month_start,
    event_type,
    location,
    any_value(admin1)                                   AS admin1,
    country,
    count(*)                                            AS events,
    CAST(sum(fatalities) AS BIGINT)                     AS fatalities,
    CAST(sum(injuries) AS BIGINT)                       AS injuries
FROM dated
GROUP BY ALL
ORDER BY month_start, event_type, country, location;

COMMENT ON VIEW events_by_month IS 'Events, fatalities and injuries per calendar month, by event type and town. Undated events are left out.';
COMMENT ON COLUMN events_by_month.month IS 'The month as YYYY-MM.';
COMMENT ON COLUMN events_by_month.month_start IS 'First day of the month.';
COMMENT ON COLUMN events_by_month.event_type IS 'ACLED event type.';
COMMENT ON COLUMN events_by_month.location IS 'Town of the events (gazetteer name).';
COMMENT ON COLUMN events_by_month.admin1 IS 'First-level administrative division of the town.';
COMMENT ON COLUMN events_by_month.country IS 'Country of the town.';
COMMENT ON COLUMN events_by_month.events IS 'Number of events (one per article report; see event_clusters for reports merged across sources).';
COMMENT ON COLUMN events_by_month.fatalities IS 'Sum of the events'' fatalities.';
COMMENT ON COLUMN events_by_month.injuries IS 'Sum of the events'' injuries.';
