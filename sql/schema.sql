-- rasd warehouse schema: the core tables every run writes.
-- Analyst views live in sql/views/*.sql, one question per file.
-- Ids are deterministic (hashes of what identifies a row), so a rerun of the same
-- input finds the same ids and adds nothing.

CREATE TABLE IF NOT EXISTS runs (
    run_id           VARCHAR PRIMARY KEY,
    started_at       TIMESTAMP NOT NULL,
    finished_at      TIMESTAMP,
    status           VARCHAR NOT NULL,
    sources_file     VARCHAR,
    pages_attempted  INTEGER,
    pages_fetched    INTEGER,
    pages_failed     INTEGER,
    pages_unchanged  INTEGER,
    articles         INTEGER,
    events           INTEGER,
    quarantined      INTEGER,
    message          VARCHAR
);
COMMENT ON TABLE runs IS 'One row per pipeline run (nightly, backfill, reprocess, eval) with its counts and final status.';
COMMENT ON COLUMN runs.run_id IS 'Identifier of the run (UTC timestamp plus a random suffix).';
COMMENT ON COLUMN runs.started_at IS 'When the run started (UTC).';
COMMENT ON COLUMN runs.finished_at IS 'When the run finished (UTC); null while running or if it was killed.';
COMMENT ON COLUMN runs.status IS 'running, completed, or failed.';
COMMENT ON COLUMN runs.sources_file IS 'The sources file the run read.';
COMMENT ON COLUMN runs.pages_attempted IS 'URLs attempted in this run.';
COMMENT ON COLUMN runs.pages_fetched IS 'URLs fetched successfully with new or changed content.';
COMMENT ON COLUMN runs.pages_failed IS 'URLs that failed (HTTP error, timeout, refused, not HTML, ...).';
COMMENT ON COLUMN runs.pages_unchanged IS 'URLs skipped because they had not changed since the last run.';
COMMENT ON COLUMN runs.articles IS 'Articles cleaned and loaded in this run.';
COMMENT ON COLUMN runs.events IS 'Events extracted and loaded in this run.';
COMMENT ON COLUMN runs.quarantined IS 'Rows quarantined by the validation suites in this run.';
COMMENT ON COLUMN runs.message IS 'Readable note on how the run ended (the error when it failed).';

CREATE TABLE IF NOT EXISTS pages (
    url              VARCHAR PRIMARY KEY,
    source           VARCHAR NOT NULL,
    status           INTEGER,
    error            VARCHAR,
    fetched_at       TIMESTAMP NOT NULL,
    content_hash     VARCHAR,
    bytes            BIGINT,
    content_type     VARCHAR,
    encoding         VARCHAR,
    final_url        VARCHAR,
    etag             VARCHAR,
    last_modified    VARCHAR,
    run_id           VARCHAR NOT NULL
);
COMMENT ON TABLE pages IS 'One row per URL ever attempted, holding its latest outcome.';
COMMENT ON COLUMN pages.url IS 'The URL as discovered in the source.';
COMMENT ON COLUMN pages.source IS 'Name of the configured source the URL came from.';
COMMENT ON COLUMN pages.status IS 'HTTP status of the last attempt; null when no response was received.';
COMMENT ON COLUMN pages.error IS 'Readable reason the last attempt failed; null when it succeeded.';
COMMENT ON COLUMN pages.fetched_at IS 'When the URL was last attempted (UTC).';
COMMENT ON COLUMN pages.content_hash IS 'SHA-256 of the raw body; the key of the stored raw page.';
COMMENT ON COLUMN pages.bytes IS 'Size of the raw body in bytes.';
COMMENT ON COLUMN pages.content_type IS 'Content-Type the server sent.';
COMMENT ON COLUMN pages.encoding IS 'Character encoding the body was decoded with.';
COMMENT ON COLUMN pages.final_url IS 'URL after redirects.';
COMMENT ON COLUMN pages.etag IS 'ETag the server sent, for conditional requests.';
COMMENT ON COLUMN pages.last_modified IS 'Last-Modified the server sent, for conditional requests.';
COMMENT ON COLUMN pages.run_id IS 'The run that last attempted the URL.';

CREATE TABLE IF NOT EXISTS articles (
    article_id       VARCHAR PRIMARY KEY,
    url              VARCHAR NOT NULL,
    source           VARCHAR NOT NULL,
    site             VARCHAR,
    title            VARCHAR,
    published_at     TIMESTAMP,
    language         VARCHAR,
    text             VARCHAR NOT NULL,
    content_hash     VARCHAR,
    run_id           VARCHAR NOT NULL,
    loaded_at        TIMESTAMP NOT NULL
);
COMMENT ON TABLE articles IS 'One row per cleaned news article: main text without web boilerplate.';
COMMENT ON COLUMN articles.article_id IS 'Deterministic id of the article (hash of its URL).';
COMMENT ON COLUMN articles.url IS 'URL of the article page.';
COMMENT ON COLUMN articles.source IS 'Name of the configured source.';
COMMENT ON COLUMN articles.site IS 'Host name of the site.';
COMMENT ON COLUMN articles.title IS 'Headline.';
COMMENT ON COLUMN articles.published_at IS 'Publication time from the page metadata (UTC when known).';
COMMENT ON COLUMN articles.language IS 'Language code of the text (ar for Arabic).';
COMMENT ON COLUMN articles.text IS 'Cleaned body text; paragraphs separated by a blank line.';
COMMENT ON COLUMN articles.content_hash IS 'SHA-256 of the raw page the article was cleaned from.';
COMMENT ON COLUMN articles.run_id IS 'The run that last loaded the article.';
COMMENT ON COLUMN articles.loaded_at IS 'When the article was last loaded (UTC).';

CREATE TABLE IF NOT EXISTS events (
    event_id            VARCHAR PRIMARY KEY,
    article_id          VARCHAR NOT NULL,
    url                 VARCHAR NOT NULL,
    event_date          DATE,
    date_explicit       BOOLEAN NOT NULL,
    event_type          VARCHAR NOT NULL,
    sub_event_type      VARCHAR NOT NULL,
    actor1              VARCHAR,
    actor2              VARCHAR,
    location            VARCHAR NOT NULL,
    location_as_written VARCHAR,
    admin1              VARCHAR,
    country             VARCHAR NOT NULL,
    latitude            DOUBLE,
    longitude           DOUBLE,
    geonameid           BIGINT,
    fatalities          INTEGER NOT NULL,
    injuries            INTEGER NOT NULL,
    notes               VARCHAR NOT NULL,
    confidence          DOUBLE NOT NULL,
    run_id              VARCHAR NOT NULL,
    loaded_at           TIMESTAMP NOT NULL
);
COMMENT ON TABLE events IS 'One row per conflict event coded from one article (ACLED taxonomy). Reports of the same event in several articles are grouped in the event_clusters view.';
COMMENT ON COLUMN events.event_id IS 'Deterministic id: hash of article, date, town, type and sides.';
COMMENT ON COLUMN events.article_id IS 'The article the event was read from (articles.article_id).';
COMMENT ON COLUMN events.url IS 'URL of that article.';
COMMENT ON COLUMN events.event_date IS 'Day the event happened, resolved against the publication date.';
COMMENT ON COLUMN events.date_explicit IS 'True when the article gives the day of this event itself; false when inherited from context or the publication date.';
COMMENT ON COLUMN events.event_type IS 'ACLED event type (Battles, Explosions/Remote violence, Violence against civilians, Protests, Riots, Strategic developments).';
COMMENT ON COLUMN events.sub_event_type IS 'ACLED sub-event type, consistent with event_type.';
COMMENT ON COLUMN events.actor1 IS 'The side that acted (state forces, a named armed group, unidentified armed group, civilians, ...).';
COMMENT ON COLUMN events.actor2 IS 'The other side, if any.';
COMMENT ON COLUMN events.location IS 'Town or city of the event as the gazetteer names it (English).';
COMMENT ON COLUMN events.location_as_written IS 'The place as the article wrote it (may be a district, camp, port or landmark).';
COMMENT ON COLUMN events.admin1 IS 'First-level administrative division (province, governorate) of the town.';
COMMENT ON COLUMN events.country IS 'Country of the town (English name).';
COMMENT ON COLUMN events.latitude IS 'Latitude of the town (WGS84).';
COMMENT ON COLUMN events.longitude IS 'Longitude of the town (WGS84).';
COMMENT ON COLUMN events.geonameid IS 'GeoNames id of the town, when it comes from GeoNames.';
COMMENT ON COLUMN events.fatalities IS 'People reported killed in the event, all sides; lowest figure where sources differ; 0 when none given.';
COMMENT ON COLUMN events.injuries IS 'People reported wounded in the event, same rules as fatalities.';
COMMENT ON COLUMN events.notes IS 'The sentence or sentences the event was read from (evidence).';
COMMENT ON COLUMN events.confidence IS 'Extractor confidence in the event, 0 to 1.';
COMMENT ON COLUMN events.run_id IS 'The run that last loaded the event.';
COMMENT ON COLUMN events.loaded_at IS 'When the event was last loaded (UTC).';

CREATE TABLE IF NOT EXISTS quarantine (
    quarantine_id       VARCHAR PRIMARY KEY,
    run_id              VARCHAR NOT NULL,
    kind                VARCHAR NOT NULL,
    record_id           VARCHAR NOT NULL,
    url                 VARCHAR,
    failed_expectations VARCHAR NOT NULL,
    record              JSON NOT NULL,
    quarantined_at      TIMESTAMP NOT NULL
);
COMMENT ON TABLE quarantine IS 'Rows that failed the validation suites: never loaded as articles or events, never dropped.';
COMMENT ON COLUMN quarantine.quarantine_id IS 'Deterministic id: hash of kind, record id and record content.';
COMMENT ON COLUMN quarantine.run_id IS 'The run that quarantined the row.';
COMMENT ON COLUMN quarantine.kind IS 'article or event.';
COMMENT ON COLUMN quarantine.record_id IS 'article_id or event_id of the row.';
COMMENT ON COLUMN quarantine.url IS 'URL of the article the row came from.';
COMMENT ON COLUMN quarantine.failed_expectations IS 'Comma-separated names of the expectations the row broke.';
COMMENT ON COLUMN quarantine.record IS 'The whole row as JSON.';
COMMENT ON COLUMN quarantine.quarantined_at IS 'When the row was quarantined (UTC).';
