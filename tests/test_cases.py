"""The evaluator corpus: every YAML file in tests/cases/ is a case that pins verdicts and their reasons.

A case names a scheme and an evidence file from tests/fixtures/, patches the
evidence, optionally overrides parameters, and says what must come out: the
status, the reason code with its parameters (``reason``, ``reason_params``,
each given parameter equal), the records behind it and their codes, each
measurement's reason.  No English is pinned here (the reports word the codes;
see tests/test_wording.py).  A case that asserts nothing fails: a corpus entry
must pin something.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

import compliance

HERE = Path(__file__).parent
CASES = sorted((HERE / "cases").glob("*.yaml"))
_SCHEMES: dict[str, compliance.Scheme] = {}


def _scheme(name: str) -> compliance.Scheme:
    """A test fixture scheme by file name, or a bundled scheme by id (``mis-y4``)."""
    if name not in _SCHEMES:
        fixture = HERE / "fixtures" / f"{name}.yaml"
        _SCHEMES[name] = compliance.load_scheme(fixture if fixture.exists() else name)
    return _SCHEMES[name]


def merge(base: Any, patch: Any) -> Any:
    """Deep-merge ``patch`` into ``base``: mappings merge, everything else replaces."""
    if isinstance(base, dict) and isinstance(patch, dict):
        out = dict(base)
        for key, value in patch.items():
            out[key] = merge(base.get(key), value) if key in base else value
        return out
    return copy.deepcopy(patch)


def remove(data: dict[str, Any], dotted: str) -> None:
    *parents, last = dotted.split(".")
    for part in parents:
        data = data[part]
    del data[last]


def build_evidence(case: dict[str, Any]) -> dict[str, Any]:
    if "evidence_example" in case:
        data = json.loads((HERE.parent / "examples" / f"{case['evidence_example']}.json").read_text())
    else:
        data = json.loads((HERE / "fixtures" / f"{case.get('evidence', 'evidence_full')}.json").read_text())
    data = merge(data, case.get("patch", {}))
    for path in case.get("remove", []):
        remove(data, path)
    return data


def check_requirement(result: compliance.Assessment, rid: str, want: dict[str, Any]) -> int:
    got = result.requirement(rid)
    checks = 0
    for key, value in want.items():
        checks += 1
        if key == "status":
            assert got.status == value, f"{rid}: status {got.status} ({got.reason})"
        elif key == "reason":
            assert got.reason.code == value, f"{rid}: reason {got.reason}"
        elif key == "reason_params":
            for name, expected in value.items():
                assert got.reason.params.get(name) == expected, f"{rid}: reason parameter {name}: {got.reason.params.get(name)!r}, not {expected!r}"
        elif key == "measurement_reasons":
            assert [m.reason.code for m in got.measurements] == value
        elif key == "records":
            assert [r.id for r in got.records] == value
        elif key == "record_codes":
            assert [r.code for r in got.records] == value
        elif key == "missing_evidence":
            assert got.missing_evidence == value
        elif key == "rests_on_unverified":
            assert got.rests_on_unverified is value
        elif key == "fired":
            assert got.fired_rule.endswith(value), got.fired_rule
        elif key == "overridden":
            assert sorted(p.id for p in got.parameters if p.overridden) == value
        else:
            raise AssertionError(f"unknown expectation {key!r} for {rid}")
    return checks


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_case(path: Path) -> None:
    case = yaml.safe_load(path.read_text())
    expect = case.get("expect") or {}
    scheme = _scheme(case.get("scheme", "kitchen_sink"))
    if "error" in expect:
        with pytest.raises(compliance.ComplianceError) as info:
            compliance.assess(build_evidence(case), schemes=[scheme], params=case.get("params"))
        for fragment in [expect["error"]] if isinstance(expect["error"], str) else expect["error"]:
            assert fragment in str(info.value)
        return
    result = compliance.assess(build_evidence(case), schemes=[scheme], params=case.get("params"))
    checks = 0
    own = result.scheme(scheme.id)
    if "scheme" in expect:
        assert own.status == expect["scheme"]
        checks += 1
    if "unmet_sections" in expect:
        assert own.unmet_sections == expect["unmet_sections"]
        checks += 1
    unknown = set(expect) - {"scheme", "unmet_sections", "sections", "requirements", "error"}
    assert not unknown, f"{path.name}: unknown expectations {sorted(unknown)}"
    for sid, status in (expect.get("sections") or {}).items():
        assert result.section(sid).status == status
        checks += 1
    for rid, want in (expect.get("requirements") or {}).items():
        checks += check_requirement(result, rid, want)
    assert checks, f"{path.name} asserts nothing: a case must pin at least one verdict"


def test_corpus_is_not_empty() -> None:
    assert len(CASES) >= 20
