-- hotspots(window_days): towns ranked by events in the last `window_days` days of data.
-- A table macro shared by the hotspots_7d and hotspots_30d views; analysts can call it with
-- any window: SELECT * FROM hotspots(14). The window ends at the newest event_date in the
-- warehouse (see events_recent), not at today, so it is meaningful for backfills too.
CREATE OR REPLACE MACRO hotspots(window_days) AS TABLE
WITH windowed AS (
    SELECT *
    FROM events_recent
    WHERE days_before_newest < window_days
),
by_town AS (
    SELECT
        location,
        any_value(admin1)                                   AS admin1,
        country,
        avg(latitude)                                       AS latitude,
        avg(longitude)                                      AS longitude,
        count(*)                                            AS events,
        CAST(sum(fatalities) AS BIGINT)                     AS fatalities,
        CAST(sum(injuries) AS BIGINT)                       AS injuries,
        string_agg(DISTINCT event_type, ', ' ORDER BY event_type) AS event_types,
        min(event_date)                                     AS first_date,
        max(event_date)                                     AS last_date,
        any_value(newest_date) - (window_days - 1)          AS window_start,
        any_value(newest_date)                              AS window_end
    FROM windowed
    GROUP BY location, country
)
SELECT
    CAST(row_number() OVER (ORDER BY events DESC, fatalities DESC, location) AS INTEGER) AS rank,
    *
FROM by_town
ORDER BY rank;
