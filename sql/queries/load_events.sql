-- Insert the staged events. An article staged in several batches keeps only the events
-- of its latest batch.
INSERT OR REPLACE INTO events (
    event_id, article_id, url, event_date, date_explicit, event_type, sub_event_type,
    actor1, actor2, location, location_as_written, admin1, country, latitude, longitude,
    geonameid, fatalities, injuries, notes, confidence, run_id, loaded_at
)
WITH latest_batch AS (
    SELECT article_id, max(batch_no) AS batch_no
    FROM staged_articles
    GROUP BY article_id
)
SELECT
    e.event_id, e.article_id, e.url, e.event_date, e.date_explicit, e.event_type,
    e.sub_event_type, e.actor1, e.actor2, e.location, e.location_as_written, e.admin1,
    e.country, e.latitude, e.longitude, e.geonameid, e.fatalities, e.injuries, e.notes,
    e.confidence, $run_id, $loaded_at
FROM staged_events AS e
LEFT JOIN latest_batch AS l ON l.article_id = e.article_id
WHERE l.batch_no IS NULL OR e.batch_no = l.batch_no
QUALIFY row_number() OVER (PARTITION BY e.event_id ORDER BY e.batch_no DESC) = 1;
