"""Assess an NHS maternity trust's evidence against declarative rule schemes.

    >>> import compliance
    >>> result = compliance.assess("examples/mis_compliant.json", schemes=["mis-y3"])
    >>> result.scheme("mis-y3").status
    'met'

Schemes are YAML (see ``docs/scheme-language.md``); verdicts are decided by
durable-rules; every finding says what was measured, against which
threshold, by how much it falls short and which records are behind it.
"""

from __future__ import annotations

from .engine import assess
from .errors import (
    ComplianceError,
    EngineError,
    EvidenceError,
    InputError,
    ParameterError,
    Problem,
    SchemeError,
    UsageError,
)
from .evidence.loader import load_evidence
from .evidence.model import Evidence, evidence_json_schema
from .results import Assessment
from .schemes.loader import builtin_schemes, load_scheme
from .schemes.model import Scheme

__version__ = "0.1.0"

__all__ = [
    "assess",
    "load_scheme",
    "builtin_schemes",
    "load_evidence",
    "evidence_json_schema",
    "Assessment",
    "Evidence",
    "Scheme",
    "ComplianceError",
    "InputError",
    "SchemeError",
    "EvidenceError",
    "ParameterError",
    "UsageError",
    "EngineError",
    "Problem",
]
