-- events_acled: the events under ACLED's column names, so analysis code written for ACLED
-- exports runs on rasd data. Columns ACLED has come first with ACLED's names and meanings;
-- rasd's own columns (injuries, evidence, confidence, ...) follow. ACLED columns rasd does not
-- code (inter1/2, interaction, assoc_actor_1/2, admin2/3, iso, region, source_scale, tags,
-- civilian_targeting, disorder_type) are left out rather than filled with guesses.
-- Columns: event_id_cnty, event_date, year, time_precision, event_type, sub_event_type,
--          actor1, actor2, country, admin1, location, latitude, longitude, geo_precision,
--          source, notes, fatalities, timestamp, injuries, location_as_written, geonameid,
--          confidence, date_explicit, url, article_id, run_id.
CREATE OR REPLACE VIEW events_acled AS
SELECT
    e.event_id                                              AS event_id_cnty,
    e.event_date,
    CAST(year(e.event_date) AS INTEGER)                     AS year,
    CAST(CASE WHEN e.date_explicit THEN 1 ELSE 2 END AS INTEGER) AS time_precision,
    e.event_type,
    e.sub_event_type,
    coalesce(e.actor1, '')                                  AS actor1,
    coalesce(e.actor2, '')                                  AS actor2,
    e.country,
    coalesce(e.admin1, '')                                  AS admin1,
    e.location,
    e.latitude,
    e.longitude,
    CAST(CASE WHEN e.latitude IS NOT NULL AND e.longitude IS NOT NULL THEN 1 END AS INTEGER)
                                                            AS geo_precision,
    coalesce(a.site, a.source, '')                          AS source,
    e.notes,
    e.fatalities,
    CAST(epoch(e.loaded_at) AS BIGINT)                      AS "timestamp",
    e.injuries,
    e.location_as_written,
    e.geonameid,
    e.confidence,
    e.date_explicit,
    e.url,
    e.article_id,
    e.run_id
FROM events AS e
LEFT JOIN articles AS a USING (article_id)
ORDER BY e.event_date, e.event_id;

COMMENT ON VIEW events_acled IS 'The events with ACLED-compatible column names (ACLED columns first, then rasd''s own).';
COMMENT ON COLUMN events_acled.event_id_cnty IS 'ACLED: event id. Here rasd''s deterministic event_id.';
COMMENT ON COLUMN events_acled.event_date IS 'ACLED: day of the event.';
COMMENT ON COLUMN events_acled.year IS 'ACLED: year of event_date.';
COMMENT ON COLUMN events_acled.time_precision IS 'ACLED: 1 when the article gives the day itself; 2 when the day was inferred from context or the publication date.';
COMMENT ON COLUMN events_acled.event_type IS 'ACLED: event type.';
COMMENT ON COLUMN events_acled.sub_event_type IS 'ACLED: sub-event type.';
COMMENT ON COLUMN events_acled.actor1 IS 'ACLED: the side that acted; empty when none is named.';
COMMENT ON COLUMN events_acled.actor2 IS 'ACLED: the other side; empty when there is none.';
COMMENT ON COLUMN events_acled.country IS 'ACLED: country of the event.';
COMMENT ON COLUMN events_acled.admin1 IS 'ACLED: first-level administrative division.';
COMMENT ON COLUMN events_acled.location IS 'ACLED: town of the event (gazetteer name).';
COMMENT ON COLUMN events_acled.latitude IS 'ACLED: latitude of the town (WGS84).';
COMMENT ON COLUMN events_acled.longitude IS 'ACLED: longitude of the town (WGS84).';
COMMENT ON COLUMN events_acled.geo_precision IS 'ACLED: 1 (town coordinates) when the town was resolved to coordinates; null otherwise. rasd always codes at town level.';
COMMENT ON COLUMN events_acled.source IS 'ACLED: the publisher; here the host name of the site the article came from.';
COMMENT ON COLUMN events_acled.notes IS 'ACLED: description; here the evidence sentences, in the article''s language.';
COMMENT ON COLUMN events_acled.fatalities IS 'ACLED: people reported killed; lowest figure where reports differ.';
COMMENT ON COLUMN events_acled."timestamp" IS 'ACLED: when the row was last written, as Unix seconds (from loaded_at).';
COMMENT ON COLUMN events_acled.injuries IS 'rasd: people reported wounded.';
COMMENT ON COLUMN events_acled.location_as_written IS 'rasd: the place as the article wrote it.';
COMMENT ON COLUMN events_acled.geonameid IS 'rasd: GeoNames id of the town, when known.';
COMMENT ON COLUMN events_acled.confidence IS 'rasd: extractor confidence, 0 to 1.';
COMMENT ON COLUMN events_acled.date_explicit IS 'rasd: true when the article gives the day of the event itself.';
COMMENT ON COLUMN events_acled.url IS 'rasd: URL of the article.';
COMMENT ON COLUMN events_acled.article_id IS 'rasd: the article the event was read from.';
COMMENT ON COLUMN events_acled.run_id IS 'rasd: the run that last loaded the event.';
