"""Expected failures of the analyst tools, each with a message an operator can act on."""

from __future__ import annotations


class AnalystError(Exception):
    """Base class: the message is one readable line saying what is wrong and what to do."""


class WarehouseNotFound(AnalystError):
    """The warehouse file does not exist."""


class WarehouseBusy(AnalystError):
    """Another process holds the warehouse for writing."""


class QueryError(AnalystError):
    """The SQL could not be parsed, bound or run."""


class UnknownView(AnalystError):
    """The named view is not in the warehouse."""
