-- hotspots_7d: which towns had the most events in the last 7 days?
-- The 7 days end at the newest event_date in the warehouse (see events_recent and the hotspots macro), not at today,
-- so the view is meaningful for backfills and samples too. Ranked by events, then fatalities.
-- Columns: rank, location, admin1, country, latitude, longitude, events, fatalities,
--          injuries, event_types, first_date, last_date, window_start, window_end.
CREATE OR REPLACE VIEW hotspots_7d AS
SELECT * FROM hotspots(7);

COMMENT ON VIEW hotspots_7d IS 'Towns ranked by events in the 7 days ending at the newest event_date in the warehouse.';
COMMENT ON COLUMN hotspots_7d.rank IS '1 for the town with the most events (ties broken by fatalities, then name).';
COMMENT ON COLUMN hotspots_7d.location IS 'Town (gazetteer name).';
COMMENT ON COLUMN hotspots_7d.admin1 IS 'First-level administrative division of the town.';
COMMENT ON COLUMN hotspots_7d.country IS 'Country of the town.';
COMMENT ON COLUMN hotspots_7d.latitude IS 'Latitude of the town (WGS84).';
COMMENT ON COLUMN hotspots_7d.longitude IS 'Longitude of the town (WGS84).';
COMMENT ON COLUMN hotspots_7d.events IS 'Events in the town in the window (one per article report).';
COMMENT ON COLUMN hotspots_7d.fatalities IS 'Sum of the events'' fatalities.';
COMMENT ON COLUMN hotspots_7d.injuries IS 'Sum of the events'' injuries.';
COMMENT ON COLUMN hotspots_7d.event_types IS 'The event types seen in the town, comma-separated.';
COMMENT ON COLUMN hotspots_7d.first_date IS 'First event day in the window.';
COMMENT ON COLUMN hotspots_7d.last_date IS 'Last event day in the window.';
COMMENT ON COLUMN hotspots_7d.window_start IS 'First day of the window.';
COMMENT ON COLUMN hotspots_7d.window_end IS 'Last day of the window: the newest event_date in the warehouse.';
