-- Record how a run ended. A count left null keeps what the row already holds.
UPDATE runs SET
    finished_at     = $finished_at,
    status          = $status,
    pages_attempted = COALESCE($pages_attempted, pages_attempted),
    pages_fetched   = COALESCE($pages_fetched, pages_fetched),
    pages_failed    = COALESCE($pages_failed, pages_failed),
    pages_unchanged = COALESCE($pages_unchanged, pages_unchanged),
    articles        = COALESCE($articles, articles),
    events          = COALESCE($events, events),
    quarantined     = COALESCE($quarantined, quarantined),
    message         = $message
WHERE run_id = $run_id;
