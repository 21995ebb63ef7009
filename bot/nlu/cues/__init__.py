"""Cue words, one module per language with the same names in each (``en.py``, ``zh.py``): a
language adds a module here, not code elsewhere. ``cue(name)`` is every language's pattern for
that name, compiled as one regex (case-insensitive). The reference resolver's cues live here;
the older intent cues are in ``bot.nlu.patterns``."""

from __future__ import annotations

import importlib
import pkgutil
import re
from functools import cache

LANGUAGES = tuple(module.name for module in pkgutil.iter_modules(__path__))


@cache
def _modules() -> tuple:
    return tuple(importlib.import_module(f"{__name__}.{name}") for name in LANGUAGES)


@cache
def cue(name: str) -> re.Pattern:
    parts = [getattr(module, name) for module in _modules() if getattr(module, name, None)]
    if not parts:
        raise KeyError(f"no language defines the cue {name!r}")
    return re.compile("|".join(f"(?:{part})" for part in parts), re.IGNORECASE)
