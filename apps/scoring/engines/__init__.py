"""Engine registry: build an engine by name, lazily, so unused engines cost no import."""

from __future__ import annotations

import threading

from apps.scoring.engines.base import BASE_LABELS, Driver, Engine, EngineOutput

__all__ = ["BASE_LABELS", "Driver", "Engine", "EngineOutput", "build_engine", "cached_engine"]

_cache: dict[tuple, Engine] = {}
_lock = threading.Lock()


def build_engine(name: str, options: dict | None = None) -> Engine:
    """A new engine instance. ``options`` are the engine's constructor arguments."""
    options = dict(options or {})
    if name == "linear":
        from apps.scoring.engines.linear import LinearEngine

        return LinearEngine(**options)
    if name == "lexicon":
        from apps.scoring.engines.lexicon import LexiconEngine

        return LexiconEngine(**options)
    if name == "transformers":
        from apps.scoring.engines.hf import TransformersEngine

        return TransformersEngine(**options)
    raise ValueError(f"unknown scoring engine {name!r}; expected linear, lexicon or transformers")


def _freeze(value):
    if isinstance(value, dict):
        return tuple(sorted((k, _freeze(v)) for k, v in value.items()))
    if isinstance(value, list | tuple):
        return tuple(_freeze(v) for v in value)
    return value


def cached_engine(name: str, options: dict | None = None) -> Engine:
    """One engine per (name, options) per process: models load once, not per message."""
    key = (name, _freeze(options or {}))
    engine = _cache.get(key)
    if engine is None:
        with _lock:
            engine = _cache.get(key)
            if engine is None:
                engine = _cache[key] = build_engine(name, options)
    return engine
