-- The record of the last complete install (none while one is under way or never made).
SELECT sql_fingerprint, catalog_digest FROM rasd_internal.installed;
