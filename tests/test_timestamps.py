from datetime import datetime

import pytest

from rasd.timestamps import parse_datetime


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2016-06-09", datetime(2016, 6, 9)),
        ("2016-06-09T11:00:00+02:00", datetime(2016, 6, 9, 9, 0)),
        ("2016-06-25T09:05:00Z", datetime(2016, 6, 25, 9, 5)),
        ("Thu, 09 Jun 2016 23:30:00 -0100", datetime(2016, 6, 10, 0, 30)),
        ("قبل ساعتين", None),
    ],
)
def test_parse_datetime_gives_naive_utc(value, expected):
    assert parse_datetime(value) == expected
