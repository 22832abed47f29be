-- events_by_week: how many events, fatalities and injuries per ISO week, by event type and town?
-- One row per (ISO week, event_type, location, country). Events without a date are left out.
-- Columns: iso_year, iso_week, week_start (the Monday), event_type, location, admin1, country,
--          events, fatalities, injuries.
CREATE OR REPLACE VIEW events_by_week AS
WITH dated AS (
    SELECT *
    FROM events
    WHERE event_date IS NOT NULL
)
SELECT
    CAST(isoyear(event_date) AS INTEGER)                AS iso_year,
    CAST(week(event_date) AS INTEGER)                   AS iso_week,
    CAST(date_trunc('week', event_date) AS DATE)        AS week_start,
    event_type,
    location,
    any_value(admin1)                                   AS admin1,
    country,
    count(*)                                            AS events,
    CAST(sum(fatalities) AS BIGINT)                     AS fatalities,
    CAST(sum(injuries) AS BIGINT)                       AS injuries
FROM dated
GROUP BY ALL
ORDER BY week_start, event_type, country, location;

COMMENT ON VIEW events_by_week IS 'Events, fatalities and injuries per ISO week (Monday to Sunday), by event type and town. Undated events are left out.';
COMMENT ON COLUMN events_by_week.iso_year IS 'ISO-8601 year the week belongs to (can differ from the calendar year around 1 January).';
COMMENT ON COLUMN events_by_week.iso_week IS 'ISO-8601 week number, 1 to 53.';
COMMENT ON COLUMN events_by_week.week_start IS 'The Monday that starts the week.';
COMMENT ON COLUMN events_by_week.event_type IS 'ACLED event type.';
COMMENT ON COLUMN events_by_week.location IS 'Town of the events (gazetteer name).';
COMMENT ON COLUMN events_by_week.admin1 IS 'First-level administrative division of the town.';
COMMENT ON COLUMN events_by_week.country IS 'Country of the town.';
COMMENT ON COLUMN events_by_week.events IS 'Number of events (one per article report; see event_clusters for reports merged across sources).';
COMMENT ON COLUMN events_by_week.fatalities IS 'Sum of the events'' fatalities.';
COMMENT ON COLUMN events_by_week.injuries IS 'Sum of the events'' injuries.';
