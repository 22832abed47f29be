-- Record that a run has started; starting the same run twice changes nothing.
INSERT INTO runs (run_id, started_at, status, sources_file)
VALUES ($run_id, $started_at, 'running', $sources_file)
ON CONFLICT (run_id) DO NOTHING;
