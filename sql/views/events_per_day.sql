-- What happened where on each day, counted once however many articles reported it?
-- Built on event_clusters: events is the largest number of distinct events (different
-- sides) any one article reports for that day, town and type; fatalities and injuries
-- are the lowest figures across reports; reports is how many articles carried it.
-- Events without a date are left out.
CREATE OR REPLACE VIEW events_per_day AS
SELECT
    event_date,
    event_type,
    location,
    country,
    n_events AS events,
    fatalities,
    injuries,
    n_reports AS reports
FROM event_clusters;
