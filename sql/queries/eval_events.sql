-- Events as `rasd eval` scores them: one row per loaded event with the fields scored.
SELECT url, event_type, sub_event_type, event_date, date_explicit, location,
       latitude, longitude, fatalities, injuries
FROM events
ORDER BY url, event_date, event_type;
