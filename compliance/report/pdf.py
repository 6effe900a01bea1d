"""The board pack as a PDF: the HTML report laid out on A4 pages by WeasyPrint.

Why WeasyPrint rather than headless Chromium: a board pack needs CSS paged
media -- a running header (trust, schemes, period) and "page N of M" in the
page margins, bookmarks from the headings, rows kept whole across page breaks.
WeasyPrint implements those from CSS alone, in-process, from PyPI; Chromium's
``--print-to-pdf`` writes its own date and file address in the margins, makes
no bookmarks, and would make a browser a run-time dependency of a library.
The same HTML is what Chromium renders in the tests, so the two agree on
content; the PDF adds only the page furniture below.

The output is deterministic: WeasyPrint writes no creation date unless the
page names one, and this page names none.

WeasyPrint is an optional dependency (``pip install 'compliance[pdf]'``; the
test extra includes it).  Without it, asking for a PDF is a usage error
(U070) that says how to install it, never a traceback.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING

from ..errors import Location, Problem, UsageError
from ..results import Assessment
from . import html

if TYPE_CHECKING:  # pragma: no cover
    from .formats import Options

__all__ = ["PAGED_CSS", "to_pdf", "assessment_pdf", "assessments_pdf", "challenge_pdf", "challenges_pdf"]

#: The page furniture: A4, the running header from the page's ``.running`` line, "page N of M".
PAGED_CSS = """
@page {
  size: A4;
  margin: 20mm 14mm 18mm 14mm;
  @top-left { content: string(running); font: 8.5pt "Segoe UI", "Helvetica Neue", Arial, sans-serif; color: #555; }
  @bottom-right { content: "page " counter(page) " of " counter(pages); font: 8.5pt "Segoe UI", "Helvetica Neue", Arial, sans-serif; color: #555; }
}
@page :first { @top-left { content: none; } }
body { max-width: none; padding: 0; font-size: 10pt; }
/* The running header's text: captured for the page margins, taking no room on page one. */
.running { display: block; string-set: running content(text); height: 0; overflow: hidden; margin: 0; }
h2, h3, h4 { break-after: avoid; }
tr, .gap, .chart, .signals, .signoff { break-inside: avoid; }
thead { display: table-header-group; }
/* Page one holds the whole declaration: denser type there. */
.declaration { font-size: 8.5pt; line-height: 1.3; }
.declaration table { font-size: 8pt; margin: 2px 0 4px; }
.declaration th, .declaration td { padding: 1.5px 4px; }
.declaration table { table-layout: fixed; }
.declaration table th:nth-child(1) { width: 15%; } .declaration table th:nth-child(2) { width: 43%; }
.declaration table th:nth-child(3) { width: 11%; } .declaration table th:nth-child(4) { width: 31%; }
.signoff th:nth-child(n) { width: auto; }
.signoff td { height: 1.8em; }
.declaration h2 { font-size: 13pt; margin: 8px 0 4px; }
.declaration h3 { font-size: 10.5pt; margin: 6px 0 2px; }
.declaration p, .declaration li { margin: 2px 0; }
.declaration .legend { margin-top: 4px; font-size: 7.5pt; }
.declaration .route { font-size: 8pt; color: #333; }
h1 { font-size: 16pt; }
.trust > .meta { font-size: 8.5pt; margin-bottom: 2px; line-height: 1.3; }
.verdict { font-size: 11pt; margin: 3px 0; padding: 2px 8px; }
a { color: inherit; text-decoration: none; }
"""

_QUIET = ("weasyprint", "fontTools", "fontTools.subset", "fontTools.ttLib")


@contextmanager
def _quiet() -> Iterator[None]:
    """The library never prints: WeasyPrint's and fontTools' warnings would reach stderr through logging's last resort."""
    saved = []
    for name in _QUIET:
        log = logging.getLogger(name)
        saved.append((log, log.propagate, list(log.handlers)))
        log.handlers = [logging.NullHandler()]
        log.propagate = False
    try:
        yield
    finally:
        for log, propagate, handlers in saved:
            log.handlers, log.propagate = handlers, propagate


def to_pdf(page: str) -> bytes:
    """A complete HTML page (from :mod:`.html`, with :data:`PAGED_CSS` in its style) as PDF bytes."""
    try:
        import weasyprint
    except ImportError as exc:  # an optional extra
        raise UsageError([
            Problem(
                "U070",
                f"PDF output needs WeasyPrint, which is not installed ({exc.msg})",
                Location("--format"),
                expected="pip install 'compliance[pdf]' (WeasyPrint and the Pango library it uses), or --format html",
            )
        ]) from None
    with _quiet():
        return bytes(weasyprint.HTML(string=page).write_pdf())


# ------------------------------------------------------------------ as a registered format (see .formats)


def assessment_pdf(assessment: Assessment, options: Options) -> bytes:
    return to_pdf(html.render(assessment, only_gaps=options.only_gaps, extra_style=PAGED_CSS))


def assessments_pdf(assessments: Sequence[Assessment], options: Options) -> bytes:
    return to_pdf(html.render_many(assessments, only_gaps=options.only_gaps, extra_style=PAGED_CSS))


def challenge_pdf(assessment: Assessment, options: Options) -> bytes:
    return to_pdf(html.render(assessment, only_gaps=options.only_gaps, challenge=True, extra_style=PAGED_CSS))


def challenges_pdf(assessments: Sequence[Assessment], options: Options) -> bytes:
    return to_pdf(html.render_many(assessments, only_gaps=options.only_gaps, challenge=True, extra_style=PAGED_CSS))
