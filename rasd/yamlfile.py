"""YAML read with libyaml's C parser where PyYAML was built with it (the wheels are)."""

from __future__ import annotations

from typing import IO, Any

import yaml

# Same safe constructor and resolver as yaml.SafeLoader, so the same values: only the
# scanning and parsing are in C, about ten times faster on the lexicons and gazetteer
# supplements that every run reads before its workers can start.
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def parse_yaml(source: str | bytes | IO[str]) -> Any:
    """`yaml.safe_load` on the C parser; errors are the same yaml.YAMLError family."""
    return yaml.load(source, Loader=SAFE_LOADER)  # noqa: S506 - a safe loader
