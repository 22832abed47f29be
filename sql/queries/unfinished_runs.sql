-- Runs still marked running: killed before they could record an end.
SELECT run_id FROM runs WHERE status = 'running' ORDER BY started_at, run_id;
