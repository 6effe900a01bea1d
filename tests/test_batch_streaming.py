"""Batches stream: each trust's report is written as its turn comes -- a JSON array, JSON Lines, or one
file per trust with --output-dir -- and the command holds no more than a bounded few at any time.

How much memory a 5,000-trust batch takes is measured by ``benchmarks/batch_scale.py``; here, that
the output is what it was, that it is written before the batch ends, and that the buffer is bounded.
"""

from __future__ import annotations

import json
import os
import pickle
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import yaml

import compliance
from compliance import batch, cli
from compliance.errors import Location, Problem, UsageError
from compliance.report import formats
from compliance.report import json as json_report

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = json.loads((ROOT / "examples" / "mis_compliant.json").read_text(encoding="utf-8"))
TODAY = ("--today", "2021-12-01")
#: At least batch.PARALLEL_MIN: worker processes, unless COMPLIANCE_WORKERS says otherwise.
MANY = 70


def _evidence(path: Path, name: str, ods: str = "R9K") -> Path:
    doc = json.loads(json.dumps(EXAMPLE))
    doc["trust"] = {"name": name, "ods_code": ods}
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix == ".yaml":
        path.write_text(yaml.safe_dump(doc), encoding="utf-8")
    else:
        path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def _batch(where: Path, n: int, bad: dict[int, str] | None = None) -> list[Path]:
    """``n`` evidence files t0000.json ... (trusts "Trust 0000" ...), with ``bad`` {index: text} written instead."""
    paths = []
    for i in range(n):
        path = where / f"t{i:04d}.json"
        if bad and i in bad:
            where.mkdir(parents=True, exist_ok=True)
            path.write_text(bad[i], encoding="utf-8")
        else:
            _evidence(path, f"Trust {i:04d}")
        paths.append(path)
    return paths


def _joined(files: list[Path]) -> str:
    """What the command wrote for a batch before it streamed: every report held, then joined."""
    import datetime as dt

    day = dt.date.fromisoformat(TODAY[1])
    return json_report.join([compliance.assess(str(f), today=day).model_dump_json(indent=2) for f in files])


# ------------------------------------------------------------------ the JSON array: the same bytes


@pytest.mark.parametrize("workers", ["1", "2"])
def test_the_streamed_json_array_is_the_joined_one_byte_for_byte(run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workers: str) -> None:
    files = _batch(tmp_path / "in", MANY)
    monkeypatch.setenv("COMPLIANCE_WORKERS", workers)
    expected = _joined(files)
    code, out, err = run("assess", str(tmp_path / "in"), "--format", "json", *TODAY)
    assert code == 0 and err == ""
    assert out == expected
    target = tmp_path / "report.json"
    code, out, _ = run("assess", str(tmp_path / "in"), "--format", "json", "-o", str(target), *TODAY)
    assert code == 0 and out == ""
    assert target.read_bytes() == expected.encode("utf-8")


@contextmanager
def _watched(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Record, in order, each file done (the progress callback) and each piece of the report written."""
    events: list[tuple[str, int]] = []
    real_progress = cli._progress

    @contextmanager
    def progress(n_files: int) -> Any:
        with real_progress(n_files) as tick:
            yield lambda done: (events.append(("done", done)), tick(done))

    real_write = cli._Stream.write
    monkeypatch.setattr(cli, "_progress", progress)
    monkeypatch.setattr(cli._Stream, "write", lambda self, text: (events.append(("write", len(text))), real_write(self, text))[1])
    yield events


@pytest.mark.parametrize("workers", ["1", "2"])
def test_reports_are_written_while_the_batch_runs_not_after_it(run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workers: str) -> None:
    files = _batch(tmp_path / "in", MANY)
    real = batch._assess_path

    def last_is_slow(path: Path, *rest: object) -> object:
        if path.name == files[-1].name:
            time.sleep(0.5)
        return real(path, *rest)  # type: ignore[arg-type]

    monkeypatch.setattr(batch, "_assess_path", last_is_slow)  # forked workers inherit it
    monkeypatch.setenv("COMPLIANCE_WORKERS", workers)
    with _watched(monkeypatch) as events:
        code, out, _ = run("assess", str(tmp_path / "in"), "--format", "json", *TODAY)
    assert code == 0 and len(json.loads(out)) == MANY
    first_write = events.index(next(e for e in events if e[0] == "write"))
    done_before = max((n for kind, n in events[:first_write] if kind == "done"), default=0)
    assert done_before < MANY // 2, "the first trust's report waits for the whole batch"


# ------------------------------------------------------------------ the buffer of early outcomes is bounded


def _quick(path: Path, *rest: object) -> object:
    """A stand-in assessment (only its all_met is read): the pool's bookkeeping, not the engine, is under test."""
    if path.name == "f0000.json":
        time.sleep(1.5)  # the first file holds the queue up while the other worker races on
    return type("Quick", (), {"all_met": True})()


def _text(assessment: object) -> str:
    return "x" * 100


def test_outcomes_waiting_for_their_turn_are_bounded_behind_a_slow_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(batch, "_assess_path", _quick)
    paths = [str(tmp_path / f"f{i:04d}.json") for i in range(400)]
    pool = batch._Pool(2, paths, (None, cli._load_schemes, None, _text, None), False, None)
    got = [(o.path, o.value) for o in pool.run()]  # type: ignore[union-attr]
    assert got == [(p, "x" * 100) for p in paths]  # every file, in the order given
    assert pool.window < len(paths) // 4
    assert 0 < pool.peak_pending <= pool.window, "without the window the other worker finishes the batch while the first file sleeps"


def test_fail_fast_hands_out_nothing_after_the_first_bad_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    def bad_at_50(path: Path, *rest: object) -> object:
        if path.name == "f0050.json":
            raise UsageError([Problem("U999", "bad", Location(str(path)))])
        return _quick(path)

    monkeypatch.setattr(batch, "_assess_path", bad_at_50)
    paths = [str(tmp_path / f"f{i:04d}.json") for i in range(400)]
    pool = batch._Pool(2, paths, (None, cli._load_schemes, None, _text, None), True, None)
    got = list(pool.run())
    assert [o.path for o in got] == paths[:51] and isinstance(got[-1], batch.Failed)
    assert pool.done < len(paths), "files past the bad one are still being assessed"


# ------------------------------------------------------------------ JSON Lines


def test_jsonl_is_one_line_per_trust_with_the_json_elements_content(run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files = _batch(tmp_path / "in", 3)
    # A raw line separator or NEL in a name must not split a line, even for str.splitlines.
    _evidence(files[1], "Trust\u2028one\x85two")
    monkeypatch.setenv("COMPLIANCE_WORKERS", "2")
    _, array, _ = run("assess", *map(str, files), "--format", "json", *TODAY)
    code, out, err = run("assess", *map(str, files), "--format", "jsonl", *TODAY)
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert len(lines) == 3 and out.endswith("\n")
    assert [json.loads(line) for line in lines] == json.loads(array)
    assert all("\n" not in line and ": " not in line[:40] for line in lines)  # compact
    assert json.loads(lines[1])["trust"]["name"] == "Trust\u2028one\x85two"


def test_jsonl_of_one_file_is_one_line_and_its_suffix_chooses_it(run, tmp_path: Path) -> None:
    one = _evidence(tmp_path / "one.json", "Trust One")
    code, out, _ = run("assess", str(one), "--format", "jsonl", *TODAY)
    assert code == 0 and out.count("\n") == 1
    _, single, _ = run("assess", str(one), "--format", "json", *TODAY)
    assert json.loads(out) == json.loads(single)
    target = tmp_path / "out.jsonl"
    code, _, _ = run("assess", str(one), "-o", str(target), *TODAY)
    assert code == 0 and target.read_text(encoding="utf-8") == out


def test_jsonl_to_a_file_over_a_batch_with_workers(run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files = _batch(tmp_path / "in", MANY)
    monkeypatch.setenv("COMPLIANCE_WORKERS", "2")
    target = tmp_path / "all.jsonl"
    code, _, _ = run("assess", str(tmp_path / "in"), "--format", "jsonl", "-o", str(target), *TODAY)
    assert code == 0
    assert [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()] == json.loads(_joined(files))


# ------------------------------------------------------------------ --output-dir


def test_report_names_are_the_stems_told_apart_deterministically() -> None:
    names = batch.report_names
    assert names([Path("a/x.json"), Path("b/y.yaml")], ".md") == ["x.md", "y.md"]
    # Repeats get -2, -3 in the order given, never a name another file's own stem takes.
    assert names([Path("a/trust.json"), Path("b/trust.json"), Path("c/trust-2.json")], ".md") == ["trust.md", "trust-3.md", "trust-2.md"]
    assert names([Path("trust.json"), Path("trust.yaml"), Path("trust.xlsx")], ".json") == ["trust.json", "trust-2.json", "trust-3.json"]
    # As a case-insensitive file system would see them.
    assert names([Path("Trust.json"), Path("trust.json")], ".html") == ["Trust.html", "trust-2.html"]


@pytest.mark.parametrize("fmt", ["json", "markdown", "terminal"])
def test_output_dir_writes_each_trusts_report_as_one_file_would(run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str) -> None:
    files = [
        _evidence(tmp_path / "a" / "trust.json", "Trust A"),
        _evidence(tmp_path / "b" / "trust.json", "Trust B"),
        _evidence(tmp_path / "b" / "trust.yaml", "Trust C"),
        _evidence(tmp_path / "c" / "trust-2.json", "Trust D"),
    ]
    monkeypatch.setenv("COMPLIANCE_WORKERS", "2")
    out = tmp_path / "reports"
    code, stdout, err = run("assess", *map(str, files), "--format", fmt, "--output-dir", str(out), *TODAY)
    assert code == 0 and stdout == "" and err == ""
    suffix = formats.get(fmt).suffix
    expected = [f"trust{suffix}", f"trust-3{suffix}", f"trust-4{suffix}", f"trust-2{suffix}"]
    assert sorted(p.name for p in out.iterdir()) == sorted(expected)
    for evidence, name in zip(files, expected):
        single = tmp_path / f"single{suffix}"
        run("assess", str(evidence), "--format", fmt, "-o", str(single), *TODAY)
        assert (out / name).read_bytes() == single.read_bytes(), name
    # The same files give the same names again (and replace the reports whole).
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    run("assess", *map(str, files), "--format", fmt, "--output-dir", str(out), *TODAY)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_output_dir_takes_the_challenge_view_and_binary_formats(run, tmp_path: Path) -> None:
    files = _batch(tmp_path / "in", 2)
    out = tmp_path / "made" / "on the way"
    code, _, _ = run("assess", *map(str, files), "--format", "markdown", "--challenge", "--output-dir", str(out), *TODAY)
    assert code == 0 and sorted(p.name for p in out.iterdir()) == ["t0000.md", "t0001.md"]
    _, single, _ = run("assess", str(files[0]), "--format", "markdown", "--challenge", *TODAY)
    assert (out / "t0000.md").read_text(encoding="utf-8") == single
    code, _, _ = run("assess", *map(str, files), "--format", "xlsx", "--output-dir", str(out), *TODAY)
    assert code == 0 and (out / "t0001.xlsx").read_bytes()[:2] == b"PK"


def test_output_dir_with_a_bad_file_lists_it_and_writes_every_other(run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files = _batch(tmp_path / "in", MANY, bad={37: '{"trust": 1}'})
    monkeypatch.setenv("COMPLIANCE_WORKERS", "2")
    out = tmp_path / "reports"
    code, _, err = run("assess", str(tmp_path / "in"), "--format", "json", "--output-dir", str(out), *TODAY)
    assert code == 2
    assert sorted(p.name for p in out.iterdir()) == [f.name for i, f in enumerate(files) if i != 37]
    assert json.loads((out / "t0036.json").read_text(encoding="utf-8"))["trust"]["name"] == "Trust 0036"
    assert "t0037.json:1:" in err and "Traceback" not in err
    assert err.splitlines()[-1] == f"compliance: 1 of {MANY} evidence files could not be assessed (listed above); the other {MANY - 1} reports are in {out}"


def test_output_dir_with_fail_fast_keeps_the_reports_before_the_bad_file(run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files = _batch(tmp_path / "in", MANY, bad={20: "{not json"})
    monkeypatch.setenv("COMPLIANCE_WORKERS", "2")
    out = tmp_path / "reports"
    code, _, err = run("assess", str(tmp_path / "in"), "--format", "json", "--output-dir", str(out), "--fail-fast", *TODAY)
    assert code == 2
    assert sorted(p.name for p in out.iterdir()) == [f.name for f in files[:20]]
    assert err.splitlines()[-1] == f"compliance: stopped at the first bad file (--fail-fast): the reports of the 20 files before it are in {out}"


@pytest.mark.parametrize(
    "extra, code_text",
    [
        (("-o", "report.json"), "--output-dir: U064: --output-dir writes one report per trust; it does not go with --output"),
        (("--compare", "--scheme", "mis-y3", "--scheme", "mis-y4"), "U064: --output-dir writes one report per trust; it does not go with --compare"),
    ],
)
def test_output_dir_refuses_an_output_file(run, tmp_path: Path, extra: tuple[str, ...], code_text: str) -> None:
    files = _batch(tmp_path / "in", 2)
    out = tmp_path / "reports"
    code, stdout, err = run("assess", *map(str, files), "--output-dir", str(out), *extra, *TODAY)
    assert code == 2 and stdout == "" and code_text in err and "Traceback" not in err
    assert not out.exists() and not (ROOT / "report.json").exists()


def test_output_dir_must_be_a_directory_and_never_overwrites_evidence(run, tmp_path: Path) -> None:
    files = _batch(tmp_path / "in", 2)
    a_file = tmp_path / "a-file"
    a_file.write_text("x", encoding="utf-8")
    code, _, err = run("assess", *map(str, files), "--output-dir", str(a_file), *TODAY)
    assert code == 2 and f"{a_file}: U065: is not a directory" in err
    before = files[0].read_bytes()
    code, _, err = run("assess", str(tmp_path / "in"), "--format", "json", "--output-dir", str(tmp_path / "in"), *TODAY)
    assert code == 2 and "U065: the report" in err and "would overwrite the evidence file" in err
    assert files[0].read_bytes() == before


# ------------------------------------------------------------------ --fail-fast and what is already written


@pytest.mark.parametrize("fmt", ["json", "jsonl"])
def test_fail_fast_to_a_file_writes_no_report_and_to_stdout_stops_short(run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str) -> None:
    files = _batch(tmp_path / "in", MANY, bad={20: "{not json"})
    monkeypatch.setenv("COMPLIANCE_WORKERS", "2")
    target = tmp_path / "report.out"
    target.write_text("the previous report", encoding="utf-8")
    code, stdout, err = run("assess", str(tmp_path / "in"), "--format", fmt, "--fail-fast", "-o", str(target), *TODAY)
    assert code == 2 and stdout == ""
    assert target.read_text(encoding="utf-8") == "the previous report"  # the new one never took its place
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in", "report.out"]
    assert err.splitlines()[-1] == "compliance: stopped at the first bad file (--fail-fast): no report written"
    code, stdout, err = run("assess", str(tmp_path / "in"), "--format", fmt, "--fail-fast", *TODAY)
    assert code == 2
    assert err.splitlines()[-1] == "compliance: stopped at the first bad file (--fail-fast): the report on standard output stops after the 20 files before it"
    expected = _joined(files[:20])
    if fmt == "json":
        assert stdout == expected[: -len("\n]\n")]  # the array left open: no reader takes it for the whole batch
    else:
        assert [json.loads(line) for line in stdout.splitlines()] == json.loads(expected)


# ------------------------------------------------------------------ interrupts, spawned workers


def _wait_for(path: Path, n: int, within: float = 120.0) -> None:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline and (not path.exists() or sum(1 for _ in path.iterdir()) < n):
        time.sleep(0.05)


def _wait_for_workers(pid: int, within: float = 120.0) -> None:
    """Until the command has started its worker processes (children of ``pid``): the batch is under way."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        for entry in Path("/proc").iterdir():
            try:
                stat = (entry / "stat").read_text() if entry.name.isdigit() else ""
            except OSError:
                continue
            if stat and int(stat[stat.rindex(")") + 2 :].split()[1]) == pid:
                return
        time.sleep(0.02)


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="watching the command's workers reads /proc")
def test_ctrl_c_leaves_whole_reports_in_the_output_dir_and_no_partial_output_file(tmp_path: Path) -> None:
    _batch(tmp_path / "in", 400)
    env = {**os.environ, "COMPLIANCE_WORKERS": "2"}
    out = tmp_path / "reports"
    argv = [sys.executable, "-m", "compliance", "assess", str(tmp_path / "in"), "--format", "json", *TODAY]
    proc = subprocess.Popen([*argv, "--output-dir", str(out)], stderr=subprocess.PIPE, env=env, cwd=ROOT, start_new_session=True)
    _wait_for(out, 20)
    os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130 and b"Traceback" not in err
    written = sorted(out.iterdir())
    assert 20 <= len(written) < 400 and all(p.name.startswith("t") for p in written)  # no temporary file
    assert all(json.loads(p.read_text(encoding="utf-8"))["schema_version"] for p in written)  # each one whole

    target = tmp_path / "all.jsonl"
    proc = subprocess.Popen([*argv, "--format", "jsonl", "-o", str(target)], stderr=subprocess.PIPE, env=env, cwd=ROOT, start_new_session=True)
    _wait_for_workers(proc.pid)
    time.sleep(0.2)  # into the batch, with most of the 400 files still to do
    os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130 and b"Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in", "reports"]


def test_a_format_is_sent_to_a_spawned_worker(run, tmp_path: Path) -> None:
    fmt = formats.get("json")
    again = pickle.loads(pickle.dumps(fmt))
    assert again == fmt and dict(again.renders) == dict(fmt.renders) and again.stream == fmt.stream
    files = _batch(tmp_path / "in", 4)
    env = {**os.environ, "COMPLIANCE_WORKERS": "2", "COMPLIANCE_MP": "spawn"}
    for extra in (("--format", "jsonl", "-o", str(tmp_path / "all.jsonl")), ("--format", "markdown", "--output-dir", str(tmp_path / "md"))):
        done = subprocess.run([sys.executable, "-m", "compliance", "assess", *map(str, files), *extra, *TODAY],
                              capture_output=True, text=True, env=env, cwd=ROOT, timeout=300)
        assert done.returncode == 0, done.stderr
    assert len((tmp_path / "all.jsonl").read_text(encoding="utf-8").splitlines()) == 4
    assert sorted(p.name for p in (tmp_path / "md").iterdir()) == [f"t{i:04d}.md" for i in range(4)]


def test_output_dir_with_one_file_a_workbook_or_a_bad_one(run, tmp_path: Path) -> None:
    book = tmp_path / "trust.xlsx"
    assert run("convert", "examples/mis_compliant.json", "-o", str(book))[0] == 0
    out = tmp_path / "reports"
    code, _, _ = run("assess", str(book), "--format", "json", "--output-dir", str(out), *TODAY)
    single = tmp_path / "single.json"
    run("assess", str(book), "--format", "json", "-o", str(single), *TODAY)
    assert code == 0 and (out / "trust.json").read_bytes() == single.read_bytes()
    bad = tmp_path / "bad.json"
    bad.write_text("{", encoding="utf-8")
    code, _, err = run("assess", str(bad), "--format", "json", "--output-dir", str(out), *TODAY)
    assert code == 2 and f"{bad}:1:" in err and "compliance:" not in err  # its error is the whole answer
    assert sorted(p.name for p in out.iterdir()) == ["trust.json"]
