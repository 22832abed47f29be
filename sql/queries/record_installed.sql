-- Written once every table and view of the install is in place.
INSERT INTO rasd_internal.installed (sql_fingerprint, catalog_digest, installed_at)
VALUES ($sql_fingerprint, $catalog_digest, $installed_at);
