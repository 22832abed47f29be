-- An article loaded again was extracted again: its earlier events give way to the new
-- ones (possibly none), so re-extraction replaces and a rerun of the same input adds nothing.
DELETE FROM events
WHERE article_id IN (SELECT article_id FROM staged_articles);
