"""Importing durable-rules' C extension, ``durable_rules_engine``, on every supported Python.

On Python 3.13 the extension (durable-rules 2.0.28, built from its source on
install) refers to ``PyEval_CallObject``, which 3.13 removed, and its import
fails with "undefined symbol: PyEval_CallObject".  compliance ships a shim
that defines the symbol: the extension ``_compliance_pyeval_shim``, built
from ``native/pyeval_shim.c`` (which says why it is more than a forwarder).
It is imported first with ``RTLD_GLOBAL``, so the dynamic linker resolves the
engine's reference to it; durable-rules' own source is untouched.  Below 3.13
the engine is imported as it is.
"""

from __future__ import annotations

import importlib
import os
import sys
from types import ModuleType

__all__ = ["dre"]


def _import_engine() -> ModuleType:
    if sys.version_info >= (3, 13) and hasattr(sys, "setdlopenflags"):
        flags = sys.getdlopenflags()
        sys.setdlopenflags(flags | os.RTLD_GLOBAL)
        try:
            importlib.import_module("_compliance_pyeval_shim")
        finally:
            sys.setdlopenflags(flags)
    return importlib.import_module("durable_rules_engine")


#: The durable-rules C extension (``durable_rules_engine``).
dre = _import_engine()
