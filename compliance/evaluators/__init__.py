"""The measurements rules compare: each kind registers itself with its own parameters and example.

Importing this package registers every built-in kind in :data:`REGISTRY`.
"""

from __future__ import annotations

from . import cases, events, external, figures, proportion  # noqa: F401  (registration side effect)
from .base import REGISTRY, Context, Evaluator, Measurement, Record, register

__all__ = ["REGISTRY", "Context", "Evaluator", "Measurement", "Record", "register"]
