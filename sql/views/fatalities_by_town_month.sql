-- How many events, dead and wounded per town and month, with reports of the same
-- incident in several articles counted once (via event_clusters, lowest figure rule)?
-- month is the first day of the calendar month. Events without a date are left out.
CREATE OR REPLACE VIEW fatalities_by_town_month AS
SELECT
    CAST(date_trunc('month', event_date) AS DATE) AS month,
    location,
    country,
    sum(n_events) AS events,
    sum(fatalities) AS fatalities,
    sum(injuries) AS injuries
FROM event_clusters
GROUP BY ALL;
