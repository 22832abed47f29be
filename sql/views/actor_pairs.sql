-- actor_pairs: which sides meet in events, how often, how deadly, and over what period?
-- Pairs are directed as coded: actor1 is the side that acted, actor2 the other side (empty
-- when there is none), so (A, B) and (B, A) are separate rows.
-- Columns: actor1, actor2, events, fatalities, injuries, event_types, first_date, last_date.
CREATE OR REPLACE VIEW actor_pairs AS
WITH sides AS (
    SELECT
        coalesce(nullif(trim(actor1), ''), 'Unknown')       AS actor1,
        coalesce(trim(actor2), '')                          AS actor2,
        event_type,
        event_date,
        fatalities,
        injuries
    FROM events
)
SELECT
    actor1,
    actor2,
    count(*)                                                AS events,
    CAST(sum(fatalities) AS BIGINT)                         AS fatalities,
    CAST(sum(injuries) AS BIGINT)                           AS injuries,
    string_agg(DISTINCT event_type, ', ' ORDER BY event_type) AS event_types,
    min(event_date)                                         AS first_date,
    max(event_date)                                         AS last_date
FROM sides
GROUP BY actor1, actor2
ORDER BY events DESC, fatalities DESC, actor1, actor2;

COMMENT ON VIEW actor_pairs IS 'Directed pairs of sides (actor1 acted on actor2) with their events, casualties and the period they span.';
COMMENT ON COLUMN actor_pairs.actor1 IS 'The side that acted; Unknown when the event names none.';
COMMENT ON COLUMN actor_pairs.actor2 IS 'The other side; empty when the event has none.';
COMMENT ON COLUMN actor_pairs.events IS 'Events coded with this pair (one per article report).';
COMMENT ON COLUMN actor_pairs.fatalities IS 'Sum of the events'' fatalities.';
COMMENT ON COLUMN actor_pairs.injuries IS 'Sum of the events'' injuries.';
COMMENT ON COLUMN actor_pairs.event_types IS 'The event types the pair appears in, comma-separated.';
COMMENT ON COLUMN actor_pairs.first_date IS 'Day of the pair''s first dated event.';
COMMENT ON COLUMN actor_pairs.last_date IS 'Day of the pair''s last dated event.';
