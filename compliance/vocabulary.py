"""The few words the scheme language and the measures share: comparisons and parameter references.

They live below both packages so that the measure kinds (``evaluators``) need
nothing from the scheme language (``schemes``), which binds measures to
schemes and so imports the measures' registry.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

__all__ = ["Comparison", "ParamRef"]

#: How a measurement is compared with its threshold.
Comparison = Literal[">=", ">", "<=", "<", "==", "!="]


class ParamRef(BaseModel):
    """``{param: ID}`` inside a measure: use the named parameter's value."""

    # As every scheme model: strict keys, frozen, its validator built when first used.
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, defer_build=True)

    param: str
