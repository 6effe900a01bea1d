"""The HTML board report in a real browser: headless Chromium renders it, we read the DOM and keep a screenshot.

Skipped only when Chromium is absent on a developer's machine; in CI
(``CI`` set) a missing browser is a failure.  The screenshot lands in
``tests/artifacts/`` (git-ignored) for a person to look at.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from html.parser import HTMLParser
from pathlib import Path

import pytest

import compliance
from compliance.report import html

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"


def _chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    if os.environ.get("CI"):
        pytest.fail("chromium is not installed in CI: .ci/run must `apt-get install -y chromium`")
    pytest.skip("chromium is not installed (apt-get install -y chromium)")


def _run(args: list[str], profile: str) -> subprocess.CompletedProcess[str]:
    cmd = [
        _chromium(),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--hide-scrollbars",
        f"--user-data-dir={profile}",
        *args,
    ]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)


class _Text(HTMLParser):
    """The visible text of a DOM dump (script/style dropped)."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0
        self.svg_rows = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("style", "script", "title"):
            self._skip += 1
        if tag == "g" and ("class", "row") in attrs:
            self.svg_rows += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "script", "title") and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)

    @property
    def text(self) -> str:
        return " ".join(" ".join(self.parts).split())


@pytest.fixture(scope="module")
def rendered() -> tuple[compliance.Assessment, str, Path]:
    """The board-dashboard example (it has trajectory measures) rendered in Chromium."""
    assessment = compliance.assess(
        compliance.load_evidence(str(ROOT / "examples" / "dashboard_stillbirth_above_preterm_below.json")),
        schemes=["board-dashboard", "mis-y3"],
    )
    ARTIFACTS.mkdir(exist_ok=True)
    page = ARTIFACTS / "board_report.html"
    page.write_text(html.render(assessment, challenge=True), encoding="utf-8")
    shot = ARTIFACTS / "board_report.png"
    if shot.exists():
        shot.unlink()
    with tempfile.TemporaryDirectory() as profile:
        dom = _run(["--dump-dom", page.as_uri()], profile)
    assert dom.returncode == 0, dom.stderr[-2000:]
    with tempfile.TemporaryDirectory() as profile:
        snap = _run([f"--screenshot={shot}", "--window-size=1240,1754", page.as_uri()], profile)
    assert snap.returncode == 0, snap.stderr[-2000:]
    return assessment, dom.stdout, shot


def test_browser_shows_trust_statuses_and_chart(rendered):
    assessment, dom, _ = rendered
    parser = _Text()
    parser.feed(dom)
    text = parser.text
    assert assessment.trust.name in text
    assert f"Verdict: {'?' if assessment.status == 'insufficient_evidence' else ''}" in text
    for scheme in assessment.schemes:
        for section in scheme.sections:
            # Each action's row: its id, then its status as symbol and words.
            words = {"met": "✔ met", "not_met": "✘ not met", "insufficient_evidence": "? insufficient evidence", "not_applicable": "– not applicable"}
            assert re.search(rf"{re.escape(section.id)}( †)? .*?{re.escape(words[section.status])}", text), section.id
    trajectories = [
        leaf
        for s in assessment.schemes
        for sec in s.sections
        for r in sec.requirements
        for leaf in r.measurements
        if leaf.measure == "trajectory" and leaf.value is not None and leaf.threshold is not None
    ]
    assert trajectories, "the example should have trajectory measures"
    assert "<svg" in dom and parser.svg_rows == len(trajectories)
    assert "Rates against the national trajectories" in text


def test_browser_screenshot_saved(rendered):
    _, _, shot = rendered
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert (width, height) == (1240, 1754)
    assert len(data) > 20_000  # not a blank page


def test_print_to_pdf_is_a4(rendered, tmp_path):
    """Chromium's print path honours the @page A4 rule."""
    pdf = tmp_path / "report.pdf"
    with tempfile.TemporaryDirectory() as profile:
        done = _run([f"--print-to-pdf={pdf}", "--no-pdf-header-footer", (ARTIFACTS / "board_report.html").as_uri()], profile)
    assert done.returncode == 0, done.stderr[-2000:]
    body = pdf.read_bytes()
    boxes = re.findall(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", body)
    assert boxes, "no page boxes in the PDF"
    w, h = (float(x) for x in boxes[0])
    assert abs(w - 595.3) < 2 and abs(h - 841.9) < 2, (w, h)  # A4 in points
