"""Timestamps as web pages, sitemaps and feeds write them, and as the warehouse stores them."""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime


def parse_datetime(value: str) -> datetime | None:
    """ISO 8601 or RFC 2822 text as a naive UTC datetime; None when it is neither."""
    value = value.strip()
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        try:
            parsed = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
    return utc_naive(parsed)


def utc_naive(value: datetime | None) -> datetime | None:
    """The schema stores UTC without a zone: aware times are converted, naive ones are
    taken to be UTC already."""
    if value is None or value.tzinfo is None:
        return value
    return value.astimezone(UTC).replace(tzinfo=None)
