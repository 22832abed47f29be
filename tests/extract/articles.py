"""Build an article from test sentences and read its events: shared by the rule tests."""

from __future__ import annotations

from datetime import datetime

from rasd.extract import extract_events
from rasd.models import Article, Event


def article_events(*paragraphs: str, published: datetime, title: str = "") -> list[Event]:
    """The events of an article made of these paragraphs, published at `published`."""
    return extract_events(
        Article(
            article_id="test-article",
            url="http://127.0.0.1/test-article",
            source="test",
            site="test",
            title=title,
            published_at=published,
            language="ar",
            text="\n\n".join(paragraphs),
        )
    )


def summary(events: list[Event]) -> list[tuple]:
    """What a failing assertion should show of each event."""
    return [
        (e.event_type, e.sub_event_type, e.location, e.event_date, e.fatalities, e.injuries)
        for e in events
    ]


def only(events: list[Event]) -> Event:
    assert len(events) == 1, summary(events)
    return events[0]
