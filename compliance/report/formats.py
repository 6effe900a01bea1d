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

A format may also say how its overview across trusts is written one trust at
a time (its :class:`Stream`): the JSON array and JSON Lines do, so a batch of
any size holds no trust's report longer than it takes to write it -- each
trust's piece of the text is made where it was assessed (a worker process,
:func:`stream_item`) and written as its turn comes.

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

from collections.abc import Callable, Mapping, Sequence
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
    "Stream",
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
    "stream_item",
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
class Stream:
    """How a format writes the overview across trusts one trust at a time: ``head``, the items joined by ``sep``, ``tail``.

    The whole text is exactly what the format's ``assessments`` renderer
    makes of the same trusts; a batch writes each item as its turn comes.
    """

    #: ``"module:function"`` (as in ``renders``): one trust's item, given its ``Assessment`` and the ``Options``.
    item: str
    head: str = ""
    sep: str = ""
    tail: str = ""

    def text(self, items: Sequence[str]) -> str:
        """The whole text of ``items`` (what a batch writes piece by piece)."""
        return self.head + self.sep.join(items) + self.tail


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
    #: How the overview across trusts is written trust by trust (then ``batch`` is not used by a batch of files).
    stream: Stream | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "renders", MappingProxyType(dict(self.renders)))

    def __reduce__(self) -> tuple[Any, ...]:
        # A spawned worker process is sent the format it renders for (a mapping proxy does not pickle).
        return (Format, (self.name, self.title, self.suffix, self.output, dict(self.renders), self.batch, self.stream))

    def shows(self, view: View) -> bool:
        return view in self.renders

    def renderer(self, view: View) -> Renderer:
        """The function that renders ``view``, its module imported now (a KeyError if it has none)."""
        found: Renderer = _function(self.renders[view])
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
        if not _is_ref(ref):
            raise ValueError(f"format {fmt.name!r}: view {view!r} names 'module:function', not {ref!r}")
    if fmt.stream is not None:
        if fmt.output != "text" or "assessments" not in fmt.renders:
            raise ValueError(f"format {fmt.name!r}: only a text format that renders the overview across trusts streams it")
        if not _is_ref(fmt.stream.item):
            raise ValueError(f"format {fmt.name!r}: its stream's item names 'module:function', not {fmt.stream.item!r}")
    _REGISTRY[fmt.name] = fmt
    return fmt


def _is_ref(ref: str) -> bool:
    module, sep, name = ref.partition(":")
    return bool(module and sep and name.isidentifier())


def _function(ref: str) -> Callable[..., Any]:
    module, _, name = ref.partition(":")
    found: Callable[..., Any] = getattr(import_module(module, __package__), name)
    return found


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


# What a batch's workers make of each trust for a streamed overview (:mod:`compliance.batch` is
# given it with its first arguments bound: a module-level function, so a spawned worker can be sent it).


def stream_item(fmt: Format, options: Options, assessment: Any) -> str:
    """One trust's item of ``fmt``'s streamed overview."""
    assert fmt.stream is not None, f"the {fmt.name} format does not stream"
    item: str = _function(fmt.stream.item)(assessment, options)
    return item


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
        # The array is made of each trust's own JSON text, indented: a batch writes each as it comes.
        batch="json",
        stream=Stream(".json:array_item", head="[\n", sep=",\n", tail="\n]\n"),
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
register(
    Format(
        "jsonl",
        title="JSON Lines",
        suffix=".jsonl",
        output="text",
        # One line per trust: the JSON report, compact.  A batch writes each line as it comes.
        renders={"assessment": ".json:assessment_jsonl", "assessments": ".json:assessments_jsonl"},
        batch="full",
        stream=Stream(".json:line"),
    )
)
