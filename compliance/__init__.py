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

from importlib import import_module
from typing import TYPE_CHECKING, Any

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
from .version import __version__ as __version__  # re-exported: compliance.__version__

if TYPE_CHECKING:  # pragma: no cover
    from .assessment.assess import assess
    from .evidence.loader import load_evidence
    from .evidence.model import Evidence, evidence_json_schema
    from .results import Assessment
    from .schemes.loader import builtin_schemes, load_scheme
    from .schemes.model import Scheme

#: Names imported on first use, so that ``import compliance`` (and ``compliance --help``)
#: does not build the models, the measure kinds and the rules engine up front.
_LAZY = {
    "assess": ".assessment.assess",
    "load_evidence": ".evidence.loader",
    "Evidence": ".evidence.model",
    "evidence_json_schema": ".evidence.model",
    "Assessment": ".results",
    "builtin_schemes": ".schemes.loader",
    "load_scheme": ".schemes.loader",
    "Scheme": ".schemes.model",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'compliance' has no attribute {name!r}")
    value = getattr(import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})



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
