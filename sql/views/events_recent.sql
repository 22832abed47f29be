-- events_recent: how long before the newest event in the warehouse did each event happen?
-- "Recent" is measured from the newest event_date in the warehouse, not from today, so a
-- warehouse that is rebuilt from old pages (or a sample) still has meaningful hotspots.
-- Columns: every column of events, plus newest_date and days_before_newest.
CREATE OR REPLACE VIEW events_recent AS
WITH newest AS (
    SELECT max(event_date) AS newest_date
    FROM events
)
SELECT
    e.*,
    n.newest_date,
    CAST(n.newest_date - e.event_date AS INTEGER)       AS days_before_newest
FROM events AS e
CROSS JOIN newest AS n
WHERE e.event_date IS NOT NULL;

COMMENT ON VIEW events_recent IS 'Dated events with their distance in days from the newest event_date in the warehouse (the reference day for the hotspot views).';
COMMENT ON COLUMN events_recent.event_id IS 'Deterministic id: hash of article, date, town, type and sides.';
COMMENT ON COLUMN events_recent.article_id IS 'The article the event was read from (articles.article_id).';
COMMENT ON COLUMN events_recent.url IS 'URL of that article.';
COMMENT ON COLUMN events_recent.event_date IS 'Day the event happened, resolved against the publication date.';
COMMENT ON COLUMN events_recent.date_explicit IS 'True when the article gives the day of this event itself; false when inherited from context or the publication date.';
COMMENT ON COLUMN events_recent.event_type IS 'ACLED event type (Battles, Explosions/Remote violence, Violence against civilians, Protests, Riots, Strategic developments).';
COMMENT ON COLUMN events_recent.sub_event_type IS 'ACLED sub-event type, consistent with event_type.';
COMMENT ON COLUMN events_recent.actor1 IS 'The side that acted (state forces, a named armed group, unidentified armed group, civilians, ...).';
COMMENT ON COLUMN events_recent.actor2 IS 'The other side, if any.';
COMMENT ON COLUMN events_recent.location IS 'Town or city of the event as the gazetteer names it (English).';
COMMENT ON COLUMN events_recent.location_as_written IS 'The place as the article wrote it (may be a district, camp, port or landmark).';
COMMENT ON COLUMN events_recent.admin1 IS 'First-level administrative division (province, governorate) of the town.';
COMMENT ON COLUMN events_recent.country IS 'Country of the town (English name).';
COMMENT ON COLUMN events_recent.latitude IS 'Latitude of the town (WGS84).';
COMMENT ON COLUMN events_recent.longitude IS 'Longitude of the town (WGS84).';
COMMENT ON COLUMN events_recent.geonameid IS 'GeoNames id of the town, when it comes from GeoNames.';
COMMENT ON COLUMN events_recent.fatalities IS 'People reported killed in the event, all sides; lowest figure where sources differ; 0 when none given.';
COMMENT ON COLUMN events_recent.injuries IS 'People reported wounded in the event, same rules as fatalities.';
COMMENT ON COLUMN events_recent.notes IS 'The sentence or sentences the event was read from (evidence).';
COMMENT ON COLUMN events_recent.confidence IS 'Extractor confidence in the event, 0 to 1.';
COMMENT ON COLUMN events_recent.run_id IS 'The run that last loaded the event.';
COMMENT ON COLUMN events_recent.loaded_at IS 'When the event was last loaded (UTC).';
COMMENT ON COLUMN events_recent.newest_date IS 'The newest event_date in the warehouse: the reference day.';
COMMENT ON COLUMN events_recent.days_before_newest IS 'Days between the event and newest_date; 0 for events on the newest day.';
