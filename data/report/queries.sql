-- The queries of the HTML report (rasd/analyst/report.py), one per "-- name:" block.
-- They read the analyst views, so the report shows exactly what `rasd sql --view` shows.

-- name: run_by_id
SELECT * FROM run_quality WHERE run_id = ?;

-- name: latest_run
SELECT * FROM run_quality ORDER BY started_at DESC LIMIT 1;

-- name: daily_by_type
-- Events per day and type over the last ? days of data, counted once across sources.
WITH newest AS (SELECT max(event_date) AS day FROM events_per_day)
SELECT event_date, event_type, CAST(sum(events) AS BIGINT) AS events,
       CAST(sum(fatalities) AS BIGINT) AS fatalities
FROM events_per_day, newest
WHERE event_date > newest.day - CAST(? AS INTEGER)
GROUP BY ALL
ORDER BY event_date, event_type;

-- name: places
-- Towns with coordinates over the same window as the chart.
WITH newest AS (SELECT max(event_date) AS day FROM events)
SELECT location AS name, country, avg(latitude) AS latitude, avg(longitude) AS longitude,
       count(*) AS events, CAST(sum(fatalities) AS BIGINT) AS fatalities
FROM events, newest
WHERE latitude IS NOT NULL AND longitude IS NOT NULL
  AND event_date > newest.day - CAST(? AS INTEGER)
GROUP BY location, country
ORDER BY events DESC, location;

-- name: top_towns
SELECT rank, location, admin1, country, events, fatalities, injuries, event_types,
       window_start, window_end
FROM hotspots_30d
ORDER BY rank
LIMIT ?;

-- name: newest_events
SELECT event_date, event_type, sub_event_type, location, location_as_written, country,
       actor1, actor2, fatalities, injuries, notes, url, source
FROM events_acled
ORDER BY event_date DESC NULLS LAST, "timestamp" DESC, event_id_cnty
LIMIT ?;
