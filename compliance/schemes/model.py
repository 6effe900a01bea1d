"""The scheme language as typed models: scheme -> sections -> requirements -> rules.

A rule is a tree.  Its leaves compare one *measure* (an evaluator, see
``compliance.evaluators``) with a *threshold*; its inner nodes are the
combinators ``all``, ``any``, ``at_least`` / ``of`` and ``not``.  Thresholds
are named parameters declared once at the top of the scheme, each with its
verification status, so a caller can override one per assessment and every
report can say which verdicts rest on unverified values.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag

from ..vocabulary import Comparison, ParamRef

__all__ = [
    "Verification",
    "Severity",
    "Comparison",
    "Source",
    "ParamKind",
    "ParameterRange",
    "PERCENT_RANGE",
    "Parameter",
    "ParamRef",
    "Leaf",
    "Declaration",
    "AllNode",
    "AnyNode",
    "AtLeastNode",
    "NotNode",
    "RuleNode",
    "Step",
    "children",
    "combinator",
    "walk",
    "Effective",
    "Requirement",
    "Rollup",
    "Section",
    "Outcome",
    "SchemePeriod",
    "Levels",
    "NotEncoded",
    "Window",
    "Versioning",
    "Scheme",
    "NODE_KEYS",
]

Verification = Literal["confirmed", "partly_confirmed", "unconfirmed"]
Severity = Literal["critical", "high", "medium", "low"]


def _no_items() -> list[Any]:
    """A default of ``[]``.  Not ``list`` itself: pydantic reads a default factory's signature,
    and a builtin's is parsed from text, which compiles the tokenizer (~2 ms of every start)."""
    return []


class _Model(BaseModel):
    # defer_build: a model's validator is built when first needed.  A command-line run
    # validates only the evidence, so building every schema at import is wasted start-up.
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, defer_build=True)


class Source(_Model):
    """A document the scheme is encoded from."""

    key: str = Field(description="A short key, e.g. DOC-MIS-Y3-MAR21.")
    title: str
    date: str | None = None
    url: str | None = None


ParamValue = Union[bool, int, float, dt.date, str]
#: What a parameter holds, read from its default value.
ParamKind = Literal["boolean", "number", "date", "text"]

# Strict: a bound written "10" or `yes` in YAML is an authoring slip, not a number or a flag.
_Bound = Annotated[float, Field(strict=True, allow_inf_nan=False)]


class ParameterRange(_Model):
    """``range: {min: 0, max: 100}``: the values a numeric parameter can mean.

    Sanity bounds from the unit (a share is 0-100, a window in months is at
    least one month and at most a few years), never a threshold: an override
    outside them is refused as a mistake, not judged.
    """

    min: _Bound
    max: _Bound
    whole: bool = Field(False, strict=True, description="Only whole numbers (windows in months or working days, counts).")


#: Every percent parameter (unit starting with "%") lies within this, declared or not.
#: (model_construct: validating here would build the model's validator at import; see _Model.)
PERCENT_RANGE = ParameterRange.model_construct(min=0.0, max=100.0, whole=False)


class Parameter(_Model):
    """A named value a rule rests on, with where it comes from and how sure we are of it."""

    value: ParamValue
    unit: str | None = None
    range: ParameterRange | None = Field(
        None, description="Required for a number whose unit is not a percentage (a percentage is 0-100); none for booleans and dates."
    )
    description: str
    status: Verification
    source: str = Field(description="Reference id or document the value comes from.")
    note: str | None = None
    wording: str | None = Field(
        None,
        description="How reports state this threshold while it has its default value, when the number alone "
        "would mislead (a 0% placeholder reads 'a figure submitted (no national threshold)').",
    )

    @property
    def kind(self) -> ParamKind:
        v = self.value
        if isinstance(v, bool):  # before int: True is an int to Python
            return "boolean"
        if isinstance(v, (int, float)):
            return "number"
        if isinstance(v, dt.date):
            return "date"
        return "text"

    @property
    def is_percent(self) -> bool:
        return self.kind == "number" and (self.unit or "").lstrip().startswith("%")

    @property
    def bounds(self) -> ParameterRange | None:
        """The range a value must lie in: the declared one, else 0-100 for a percentage; None for non-numbers."""
        if self.kind != "number":
            return None
        if self.range is not None:
            return self.range
        return PERCENT_RANGE if self.is_percent else None


class Leaf(_Model):
    """Compare a measure with a threshold: ``measure``, ``compare``, ``threshold``."""

    measure: dict[str, Any]
    compare: Comparison = ">="
    threshold: ParamValue | None = Field(
        None, description="A parameter id, or a literal; omitted when the measure supplies its own (trajectory)."
    )
    describe: str | None = Field(None, description="What is being counted, for explanations: 'reviews started within two months'.")
    counted_with: list[str] = Field(
        default_factory=_no_items,
        description="Parameters that define what the submitted figure counts (the gestation by which RFM information "
        "counts as given, say): the measure does not compute with them, but the verdict rests on them, so reports "
        "list them with their status.",
    )


class AllNode(_Model):
    all: list[RuleNode] = Field(min_length=1)


class AnyNode(_Model):
    any: list[RuleNode] = Field(min_length=1)


class AtLeastNode(_Model):
    at_least: int = Field(ge=1)
    of: list[RuleNode] = Field(min_length=1)


class NotNode(_Model):
    not_: RuleNode = Field(alias="not")


#: The keys that say which kind of rule node a mapping is.
NODE_KEYS = ("measure", "all", "any", "at_least", "not")


def _node_kind(value: Any) -> str | None:
    if isinstance(value, dict):
        for key in NODE_KEYS:
            if key in value:
                return key
        return None
    if isinstance(value, BaseModel):
        return {Leaf: "measure", AllNode: "all", AnyNode: "any", AtLeastNode: "at_least", NotNode: "not"}.get(type(value))
    return None


RuleNode = Annotated[
    Union[
        Annotated[Leaf, Tag("measure")],
        Annotated[AllNode, Tag("all")],
        Annotated[AnyNode, Tag("any")],
        Annotated[AtLeastNode, Tag("at_least")],
        Annotated[NotNode, Tag("not")],
    ],
    Discriminator(
        _node_kind,
        custom_error_type="rule_node",
        custom_error_message="a rule node: a mapping with one of measure, all, any, at_least, not",
    ),
]


#: A step from a rule node to one of its children, as it reads in the scheme's document path.
Step = tuple[str | int, ...]


def children(node: RuleNode) -> tuple[tuple[Step, RuleNode], ...]:
    """A node's children with the step to each (``("all", 0)``, ``("not",)``); none for a leaf.

    Every walk of a rule tree -- checking, compiling, explaining, what the
    template says a field is for -- goes through here, so a new combinator is
    taught to all of them at once.
    """
    if isinstance(node, AllNode):
        return tuple((("all", i), child) for i, child in enumerate(node.all))
    if isinstance(node, AnyNode):
        return tuple((("any", i), child) for i, child in enumerate(node.any))
    if isinstance(node, AtLeastNode):
        return tuple((("of", i), child) for i, child in enumerate(node.of))
    if isinstance(node, NotNode):
        return ((("not",), node.not_),)
    return ()


def combinator(node: RuleNode) -> tuple[Literal["all", "any", "at_least", "not"], int]:
    """An inner node's kind and how many of its children must be met (1 but for ``at_least``)."""
    if isinstance(node, AllNode):
        return "all", 1
    if isinstance(node, AnyNode):
        return "any", 1
    if isinstance(node, AtLeastNode):
        return "at_least", node.at_least
    if isinstance(node, NotNode):
        return "not", 1
    raise TypeError(f"{type(node).__name__} is a leaf, not a combinator")


def walk(node: RuleNode, path: Step = ()) -> Iterator[tuple[Step, RuleNode]]:
    """Every node of a rule tree with its path, depth first, parents before children."""
    stack: list[tuple[Step, RuleNode]] = [(path, node)]
    while stack:
        here, current = stack.pop()
        yield here, current
        stack.extend(((*here, *step), child) for step, child in reversed(children(current)))


class Effective(_Model):
    """The dates between which a requirement applies (by the evidence's assessment date)."""

    start: dt.date | None = Field(None, alias="from")
    until: dt.date | None = None
    note: str | None = None


class Requirement(_Model):
    """A standard: what must be true, why, how to check it and how to fix it."""

    id: str = Field(description="The stable id from the reference, e.g. MIS-Y3-SA1.b.")
    title: str
    text: str = Field(description="The standard, paraphrased.")
    source: str
    status: Verification
    severity: Severity = "high"
    evidence: list[str] = Field(default_factory=_no_items, description="Evidence paths this requirement needs.")
    rule: RuleNode
    remediation: str
    challenge: list[str] = Field(default_factory=_no_items, description="Questions a board champion should ask.")
    notes: list[str] = Field(default_factory=_no_items)
    effective: Effective | None = None


class Rollup(_Model):
    """How children combine: ``all`` met, or ``at_least`` N met."""

    at_least: int | None = Field(None, ge=1)

    @property
    def label(self) -> str:
        return "all" if self.at_least is None else f"at least {self.at_least}"


class Section(_Model):
    """A group of requirements that is met or not as a whole (a safety action, an element)."""

    id: str
    title: str
    text: str | None = None
    rollup: Literal["all"] | Rollup = "all"
    in_outcome: bool = Field(True, description="False for checks that inform but do not decide the outcome.")
    counts_as: str | None = Field(
        None, description="What this section is, where it is not of the scheme's own level (a board sign-off among safety actions: 'condition')."
    )
    challenge: list[str] = Field(default_factory=_no_items)
    action_plan: str | None = Field(None, description="What an action plan must contain when this section is not met.")
    requirements: list[Requirement] = Field(min_length=1)


class Outcome(_Model):
    """The scheme's overall verdict and what it means."""

    rollup: Literal["all"] | Rollup = "all"
    met: str = Field(description="What it means when the scheme is met, e.g. 'Incentive recovered'.")
    not_met: str
    insufficient_evidence: str | None = None
    action_plan_route: str | None = None


class SchemePeriod(_Model):
    start: dt.date | None = None
    end: dt.date | None = None
    status: Verification = "confirmed"
    note: str | None = None
    deadline: dt.date | None = Field(
        None,
        description="The date by which the declaration is made.  Assessed before it, a verdict is a position "
        "so far, not a final one: reports say where the trust stands and how long is left.",
    )


class Levels(_Model):
    """What the scheme calls its levels, for counts such as '8 of 10 safety actions met'."""

    section: str = "section"
    sections: str | None = Field(None, description="The plural, if adding 's' would be wrong.")
    requirement: str = "standard"

    @property
    def section_plural(self) -> str:
        return self.sections or self.section + "s"


class Declaration(_Model):
    """The form a board signs for this scheme, when it has one (MIS: NHS Resolution's board declaration).

    A scheme with a declaration puts it on the first page of a board report: each
    section with its status and why, the conditions, the outcome, the action-plan
    route for each unmet section, and a block for the people who sign.
    """

    title: str = Field(description="What the form is called, e.g. 'Board declaration'.")
    source: str = Field(description="The reference id(s) the sign-off rests on.")
    sign_off: list[str] = Field(min_length=1, description="Who signs, one role per line of the sign-off block.")


class NotEncoded(_Model):
    """A reference id deliberately left out of the scheme, and why."""

    id: str
    reason: str


class Window(_Model):
    """The reporting window of one version: the evidence periods it is the version for."""

    start: dt.date
    end: dt.date | None = Field(None, description="None while the version is current (no successor yet).")
    status: Verification = "confirmed"
    note: str | None = None

    def contains(self, day: dt.date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


class Versioning(_Model):
    """Which scheme family this is a version of, which version, and the version it succeeds.

    Versions of one family (MIS Year 3 and Year 4, SBL v2 and v3) are separate
    schemes with year-keyed requirement ids (``MIS-Y4-SA6.b``: lettering changes
    between years).  They read the one evidence catalogue, so an evidence path
    means the same in every version that reads it; ``evidence_from`` says which
    earlier version's definitions this one takes over (a path is reused, never
    redefined), and what a version reads that the earlier one did not is what
    ``schemes diff`` lists as evidence newly needed.
    """

    family: str = Field(pattern=r"^[a-z][a-z0-9]*$", description="The family, e.g. mis; `--scheme mis` picks its version by period.")
    key: str = Field(pattern=r"^[a-z0-9][a-z0-9.]*$", description="The version within the family, e.g. y4.")
    label: str = Field(description="How reports name the version, e.g. 'Year 4 (2021/22)'.")
    window: Window | None = Field(None, description="The reporting window; omitted, the scheme's period (start to deadline or end).")
    succeeds: str | None = Field(None, description="The id of the version this one replaces.")
    evidence_from: str | None = Field(None, description="The id of an earlier version whose evidence definitions this one reuses.")
    skeleton: str | None = Field(None, description="Set when the version is a skeleton: what is missing, said wherever it is listed.")


class Scheme(_Model):
    """A whole scheme, as loaded from YAML."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]*$")
    title: str
    version: str
    publisher: str
    description: str | None = None
    sources: list[Source] = Field(min_length=1)
    period: SchemePeriod | None = None
    levels: Levels = Field(default_factory=Levels.model_construct)  # Levels() would build its own validator
    declaration: Declaration | None = None
    parameters: dict[str, Parameter] = Field(default_factory=dict)
    outcome: Outcome
    sections: list[Section] = Field(min_length=1)
    not_encoded: list[NotEncoded] = Field(default_factory=_no_items)
    versioning: Versioning | None = None

    @property
    def family(self) -> str | None:
        return self.versioning.family if self.versioning else None

    @property
    def window(self) -> Window | None:
        """The reporting window of a versioned scheme (its own, else its period's); None if unversioned."""
        v = self.versioning
        if v is None:
            return None
        if v.window is not None:
            return v.window
        p = self.period
        if p is None or p.start is None:
            return None
        return Window.model_construct(start=p.start, end=p.deadline or p.end, status=p.status, note=None)

    def requirements(self) -> list[tuple[Section, Requirement]]:
        return [(s, r) for s in self.sections for r in s.requirements]

    def find(self, requirement_id: str) -> tuple[Section, Requirement] | None:
        for s, r in self.requirements():
            if r.id == requirement_id:
                return s, r
        return None
