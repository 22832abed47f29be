"""rasd: nightly conflict-event monitoring of Arabic news into a DuckDB warehouse."""

__version__ = "0.1.0"
