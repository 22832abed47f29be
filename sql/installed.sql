-- What the warehouse's tables and views were last installed from: a fingerprint of the
-- sql/ files (schema.sql, this file, views/*.sql) and a digest of what the catalog then
-- held. Opening a warehouse whose record matches both skips re-creating them; any other
-- sql/ (a new rasd version) or a catalog changed by hand installs everything again.
-- Kept out of the main schema: it is rasd's bookkeeping, not something analysts query.
CREATE SCHEMA IF NOT EXISTS rasd_internal;
CREATE TABLE IF NOT EXISTS rasd_internal.installed (
    sql_fingerprint  VARCHAR NOT NULL,
    catalog_digest   VARCHAR NOT NULL,
    installed_at     TIMESTAMP NOT NULL
);
