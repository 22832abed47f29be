-- Dropped before an install starts, so one that fails halfway is redone on the next open
-- (by this version or an older one) instead of looking complete.
DELETE FROM rasd_internal.installed;
