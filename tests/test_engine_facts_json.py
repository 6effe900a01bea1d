"""The facts' JSON, written directly for the engine: the same data json.loads reads back, and nothing it cannot read."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from compliance.errors import EngineError
from compliance.rules.runtime import encode_facts

_LIMIT = 2**53 - 1  # the largest number a fact may carry (compliance.source.MAX_NUMBER)
_values = st.one_of(
    st.booleans(), st.integers(-_LIMIT, _LIMIT), st.floats(-float(_LIMIT), float(_LIMIT), allow_nan=False, allow_infinity=False), st.text()
)
_facts = st.lists(st.dictionaries(st.text().filter(lambda k: k != "sid"), _values, max_size=8), max_size=6)


@given(_facts, st.text())
def test_the_json_reads_back_as_the_facts_with_their_sid(facts: list[dict[str, object]], sid: str) -> None:
    decoded = json.loads(encode_facts(facts, sid))
    assert decoded == [{**f, "sid": sid} for f in facts]
    # Types survive: a boolean stays a boolean, a whole number stays whole, a float stays a float.
    for got, want in zip(decoded, facts):
        assert all(type(got[k]) is type(v) for k, v in want.items())


def test_the_sid_given_wins_over_one_in_the_fact() -> None:
    assert json.loads(encode_facts([{"key": "R1", "sid": "old"}], "7.1")) == [{"key": "R1", "sid": "7.1"}]


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_a_non_finite_number_never_reaches_the_engine(bad: float) -> None:
    with pytest.raises(EngineError, match="non-finite"):
        encode_facts([{"key": "L1", "l": "ok", "v": bad, "t": 1.0}], "1.0")


@given(st.one_of(st.integers(min_value=_LIMIT + 1), st.integers(max_value=-_LIMIT - 1), st.floats(min_value=float(_LIMIT) * 2), st.floats(max_value=-float(_LIMIT) * 2)))
def test_a_number_beyond_the_limit_never_reaches_the_engine(bad: float) -> None:
    # The boundary's range check is folded into the encoding (it was a second pass over every fact).
    with pytest.raises(EngineError, match="never sent to durable-rules"):
        encode_facts([{"key": "L1", "l": "ok", "v": bad}], "1.0")


@pytest.mark.parametrize("bad", [None, [1], {"a": 1}, b"x"])
def test_a_value_the_engine_has_no_type_for_is_refused(bad: object) -> None:
    with pytest.raises(EngineError, match="facts hold only"):
        encode_facts([{"key": "L1", "v": bad}], "1.0")
