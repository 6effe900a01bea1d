"""The output formats: a registry of what each one is called, writes and renders.

A format registers itself with a :class:`Format`: its name (``--format NAME``),
a title for messages, the suffix of a file in it, whether it writes **text**,
**bytes** (a PDF, a workbook) or draws on a rich **console** (the terminal;
the output channel decides colour and width), and which *views* it renders --
each view named by ``"module:function"``:

=============== ============================================ ==================================
view            what it renders                              the renderer is given
=============== ============================================ ==================================
``assessment``  one trust's report                           an ``Assessment``
``assessments`` many trusts: the overview (JSON: an array)    a sequence of them (see ``batch``)
``challenge``   one trust's board-champion challenge view    an ``Assessment``
``challenges``  the overview, then each trust's challenge     a sequence of them
``changes``     what changed between two assessments         a :class:`.diff.Changes`
=============== ============================================ ==================================

Every renderer is called as ``renderer(subject, options)`` with the
:class:`Options` the user asked for, and returns ``str`` (text), ``bytes``
(bytes) or a function that draws on a rich ``Console`` (console);
:meth:`Format.render` checks that it returned what the format declared.

A renderer's module is imported only when that format renders: the registry
itself imports nothing of the report, so the command line reads the formats'
names (its ``--format`` choices) without importing rich or any renderer.
Plug a format in by registering it before the command line runs -- here,
beside the built-ins, or from any module imported first::

    register(Format("pdf", title="PDF", suffix=".pdf", output="bytes",
                    renders={"assessment": "compliance.report.pdf:assessment_pdf"}))
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from importlib import import_module
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Literal, get_args

from ..errors import Location, Problem, UsageError, did_you_mean

if TYPE_CHECKING:  # pragma: no cover
    from rich.console import Console

__all__ = [
    "View",
    "VIEWS",
    "Output",
    "Batch",
    "Options",
    "Draw",
    "Rendered",
    "Renderer",
    "Format",
    "register",
    "unregister",
    "get",
    "choose",
    "names",
    "registered",
    "in_words",
]

View = Literal["assessment", "assessments", "challenge", "challenges", "changes"]

#: Each view in words, for messages ("the HTML format cannot show ...").
VIEWS: dict[View, str] = {
    "assessment": "one trust's report",
    "assessments": "the overview across trusts",
    "challenge": "the challenge view",
    "challenges": "the challenge view across trusts",
    "changes": "what changed between two assessments",
}

Output = Literal["text", "bytes", "console"]

#: What a batch of many trusts keeps of each for the ``assessments`` view: the whole tree, the
#: sections only (all an overview reads; less to carry back from worker processes), or the JSON text.
Batch = Literal["full", "summary", "json"]

#: Draws on the console the output channel gives it.
Draw = Callable[["Console"], None]
Rendered = str | bytes | Draw
Renderer = Callable[[Any, "Options"], Rendered]


@dataclass(frozen=True, slots=True)
class Options:
    """What the user asked of a report, whatever its format."""

    #: Hide sections that are met or not applicable (and trusts with no gaps, across trusts).
    only_gaps: bool = False


@dataclass(frozen=True, slots=True)
class Format:
    """An output format: its name, how it writes, and the renderer of each view it renders."""

    name: str
    #: The format's name in a sentence ("the challenge view has no JSON form").
    title: str
    #: The suffix a file in this format takes.
    suffix: str
    output: Output
    #: View -> ``"module:function"`` (a module starting with "." is in compliance.report).
    renders: Mapping[View, str]
    batch: Batch = "summary"

    def __post_init__(self) -> None:
        object.__setattr__(self, "renders", MappingProxyType(dict(self.renders)))

    def shows(self, view: View) -> bool:
        return view in self.renders

    def renderer(self, view: View) -> Renderer:
        """The function that renders ``view``, its module imported now (a KeyError if it has none)."""
        module, _, name = self.renders[view].partition(":")
        found: Renderer = getattr(import_module(module, __package__), name)
        return found

    def render(self, view: View, subject: Any, options: Options | None = None) -> Rendered:
        """Render ``subject`` as ``view``: text, bytes or a drawing, as the format declares."""
        out = self.renderer(view)(subject, options or Options())
        ok = isinstance(out, str) if self.output == "text" else isinstance(out, bytes) if self.output == "bytes" else (
            callable(out) and not isinstance(out, str | bytes)
        )
        if not ok:  # a renderer that breaks its format's promise is a bug, not bad input
            raise TypeError(f"the {self.name} format's {view} renderer returned {type(out).__name__}, not {self.output}")
        return out


_REGISTRY: dict[str, Format] = {}


def register(fmt: Format, *, replace: bool = False) -> Format:
    """Add ``fmt`` to the registry (a ValueError if it is malformed or its name is taken)."""
    if not fmt.name or fmt.name != fmt.name.strip().lower() or " " in fmt.name:
        raise ValueError(f"a format's name is a lower-case word, not {fmt.name!r}")
    if fmt.name in _REGISTRY and not replace:
        raise ValueError(f"a format named {fmt.name!r} is already registered")
    if not fmt.suffix.startswith("."):
        raise ValueError(f"format {fmt.name!r}: a suffix starts with '.', not {fmt.suffix!r}")
    if fmt.output not in get_args(Output):
        raise ValueError(f"format {fmt.name!r}: output is one of {', '.join(get_args(Output))}, not {fmt.output!r}")
    if fmt.batch not in get_args(Batch):
        raise ValueError(f"format {fmt.name!r}: batch is one of {', '.join(get_args(Batch))}, not {fmt.batch!r}")
    if not fmt.renders:
        raise ValueError(f"format {fmt.name!r} renders no view")
    for view, ref in fmt.renders.items():
        if view not in VIEWS:
            raise ValueError(f"format {fmt.name!r}: no view {view!r} (views: {', '.join(VIEWS)})")
        module, sep, name = ref.partition(":")
        if not (module and sep and name.isidentifier()):
            raise ValueError(f"format {fmt.name!r}: view {view!r} names 'module:function', not {ref!r}")
    _REGISTRY[fmt.name] = fmt
    return fmt


def unregister(name: str) -> None:
    _REGISTRY.pop(name, None)


def registered() -> tuple[Format, ...]:
    """Every format, in the order registered."""
    return tuple(_REGISTRY.values())


def names(*views: View) -> tuple[str, ...]:
    """The names of the formats that render any of ``views`` (every format's, without one), in the order registered."""
    return tuple(f.name for f in _REGISTRY.values() if not views or any(f.shows(v) for v in views))


def in_words(view: View) -> str:
    """``terminal, markdown or html``: the formats that render ``view``, for a message."""
    found = names(view)
    if len(found) < 2:
        return found[0] if found else "(none)"
    return f"{', '.join(found[:-1])} or {found[-1]}"


def get(name: str) -> Format:
    """The format called ``name``; a :class:`~compliance.errors.UsageError` (U050, with "did you mean") if none is."""
    found = _REGISTRY.get(name)
    if found is None:
        raise UsageError([_unknown(name, names())])
    return found


def choose(name: str, view: View, *more: View) -> Format:
    """The format called ``name`` if it renders ``view`` (or any of ``more``); else a UsageError (U050) naming those that do."""
    fmt = _REGISTRY.get(name)
    able = names(view, *more)
    if fmt is None:
        raise UsageError([_unknown(name, able)])
    if fmt.name not in able:
        raise UsageError(
            [Problem("U050", f"the {fmt.title} format cannot show {VIEWS[view]}", Location("--format"), expected=f"one of {', '.join(able)}")]
        )
    return fmt


def _unknown(name: str, choices: tuple[str, ...]) -> Problem:
    return Problem(
        "U050",
        f"no format '{name}'",
        Location("--format"),
        expected=f"one of {', '.join(choices)}",
        suggestion=did_you_mean(name, choices),
    )


# ------------------------------------------------------------------ the built-in formats

register(
    Format(
        "terminal",
        title="terminal",
        suffix=".txt",
        output="console",
        renders={
            "assessment": ".terminal:assessment_terminal",
            "assessments": ".terminal:assessments_terminal",
            "challenge": ".terminal:challenge_terminal",
            "challenges": ".terminal:challenges_terminal",
            "changes": ".diff:changes_terminal",
        },
    )
)
register(
    Format(
        "json",
        title="JSON",
        suffix=".json",
        output="text",
        renders={
            "assessment": ".json:assessment_json",
            "assessments": ".json:assessments_json",
            "changes": ".diff:changes_json",
        },
        # The array is made of each trust's own JSON text: a batch keeps just that.
        batch="json",
    )
)
register(
    Format(
        "markdown",
        title="Markdown",
        suffix=".md",
        output="text",
        renders={
            "assessment": ".markdown:assessment_markdown",
            "assessments": ".markdown:assessments_markdown",
            "challenge": ".markdown:challenge_markdown",
            "challenges": ".markdown:challenges_markdown",
            "changes": ".diff:changes_markdown",
        },
    )
)
register(
    Format(
        "html",
        title="HTML",
        suffix=".html",
        output="text",
        renders={
            "assessment": ".html:assessment_html",
            "assessments": ".html:assessments_html",
            "challenge": ".html:challenge_html",
            "challenges": ".html:challenges_html",
        },
    )
)
register(
    Format(
        "xlsx",
        title="Excel",
        suffix=".xlsx",
        output="bytes",
        # The action-plan tracker: Summary, Actions (owner, due date, progress to fill in) and Records.
        renders={"assessment": ".tracker_xlsx:assessment_xlsx"},
    )
)
register(
    Format(
        "pdf",
        title="PDF",
        suffix=".pdf",
        output="bytes",
        # The board pack: the HTML report on A4 pages, with a running header, page numbers and bookmarks.
        renders={
            "assessment": ".pdf:assessment_pdf",
            "assessments": ".pdf:assessments_pdf",
            "challenge": ".pdf:challenge_pdf",
            "challenges": ".pdf:challenges_pdf",
        },
    )
)
