"""Loads the YAML lexicons beside the code (loaders/lexicons/), once per process."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

_DIR = Path(__file__).parent / "lexicons"


@cache
def load(name: str) -> dict[str, Any]:
    """The parsed lexicon `loaders/lexicons/<name>.yaml` (cached: lexicons never change at run time)."""
    with open(_DIR / f"{name}.yaml", encoding="utf-8") as fh:
        return yaml.safe_load(fh) or {}
