"""Event extraction from cleaned Arabic articles: language kit, gazetteer and event rules."""
