"""Event extraction from cleaned Arabic articles: language kit, gazetteer and event rules."""

from rasd.extract.events import extract_events

__all__ = ["extract_events"]
