"""Declarative conditions: when a criterion applies, and when a next step is suggested.

Conditions are data read from YAML, never code. Each one can be evaluated against the answers
(three-valued: an unknown or unanswered input gives ``None``, so an unknown never hides a question
and never satisfies a rule) and described in words, so every report can say why.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping, Sequence
from typing import Annotated, Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Discriminator, Field, StrictFloat, StrictInt, StrictStr, Tag

from candidacy.criteria.kinds import PresentKind

__all__ = [
    "AllOf",
    "AnswerIs",
    "AnyOf",
    "Blocked",
    "Condition",
    "Leaf",
    "Not",
    "Present",
    "Scalar",
    "Walker",
    "answer_leaves",
    "iter_leaves",
]

Scalar = StrictStr | StrictInt | StrictFloat


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, defer_build=True)


class AnswerIs(_Strict):
    """A test on one criterion's answer; exactly one of the comparisons is given."""

    criterion: StrictStr = Field(description="Id of the criterion whose answer is tested.")
    equals: Scalar | None = Field(default=None, description="The answer equals this value.")
    one_of: list[Scalar] | None = Field(default=None, description="The answer is one of these values.")
    at_least: StrictFloat | StrictStr | None = Field(
        default=None, description="Number >= this, or scale level at or above this level."
    )
    below: StrictFloat | StrictStr | None = Field(
        default=None, description="Number < this, or scale level below this level."
    )

    def model_post_init(self, context: Any, /) -> None:
        given = [k for k in ("equals", "one_of", "at_least", "below") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(
                "give exactly one of equals, one_of, at_least, below" + (f" (got {', '.join(given)})" if given else "")
            )


class Present(_Strict):
    """True when the assessment holds at least one finding of this kind (or an unanswered item)."""

    present: PresentKind


class Blocked(_Strict):
    """Whether something stands in the way of a stage's decision (three-valued).

    True when a known answer gives a finding that blocks the stage (a contraindication or unmet
    prerequisite settled by then, or a finding the YAML declares ``blocks: <stage>``); undecided when
    none does yet but an unknown or unanswered item of that stage or an earlier one could; else false.
    """

    blocked: StrictStr = Field(description="Id of a stage declared in the set's stages list.")


class AllOf(_Strict):
    all: list[Condition] = Field(min_length=1)


class AnyOf(_Strict):
    any: list[Condition] = Field(min_length=1)


class Not(_Strict):
    not_: Condition = Field(alias="not")


def _condition_tag(value: Any) -> str:
    if isinstance(value, Mapping):
        for key in ("all", "any", "not", "present", "blocked"):
            if key in value:
                return key
        return "answer"
    if isinstance(value, BaseModel):
        tags = {AllOf: "all", AnyOf: "any", Not: "not", Present: "present", Blocked: "blocked"}
        return tags.get(type(value), "answer")
    return "answer"


Condition = Annotated[
    Annotated[AllOf, Tag("all")]
    | Annotated[AnyOf, Tag("any")]
    | Annotated[Not, Tag("not")]
    | Annotated[Present, Tag("present")]
    | Annotated[Blocked, Tag("blocked")]
    | Annotated[AnswerIs, Tag("answer")],
    Discriminator(_condition_tag),
]

AllOf.model_rebuild()
AnyOf.model_rebuild()
Not.model_rebuild()


Leaf = AnswerIs | Present | Blocked
Path = tuple[str | int, ...]
T = TypeVar("T")
A = TypeVar("A")


class Walker(ABC, Generic[T, A]):
    """The one walk over a condition tree. Each reading of a condition (its truth, its words, its FHIR
    ``enableWhen``, the reasons a step is given) is a subclass saying what each shape means, with an
    argument passed down (the path, the wanted truth...); only :meth:`walk` knows the shapes, so a new
    shape is one abstract method every reading must then answer.
    """

    def walk(self, cond: Condition, arg: A) -> T:
        shape = type(cond)  # the models are final and frozen: their exact type is their shape
        if shape is AllOf:
            return self.all_of(cond.all, arg)  # type: ignore[union-attr]
        if shape is AnyOf:
            return self.any_of(cond.any, arg)  # type: ignore[union-attr]
        if shape is Not:
            return self.negation(cond.not_, arg)  # type: ignore[union-attr]
        return self.leaf(cond, arg)  # type: ignore[arg-type]

    @abstractmethod
    def all_of(self, children: Sequence[Condition], arg: A) -> T: ...

    @abstractmethod
    def any_of(self, children: Sequence[Condition], arg: A) -> T: ...

    @abstractmethod
    def negation(self, child: Condition, arg: A) -> T: ...

    @abstractmethod
    def leaf(self, leaf: Leaf, arg: A) -> T: ...


class _Leaves(Walker[Iterator[tuple[Path, Leaf]], Path]):
    def all_of(self, children: Sequence[Condition], arg: Path) -> Iterator[tuple[Path, Leaf]]:
        for i, child in enumerate(children):
            yield from self.walk(child, (*arg, "all", i))

    def any_of(self, children: Sequence[Condition], arg: Path) -> Iterator[tuple[Path, Leaf]]:
        for i, child in enumerate(children):
            yield from self.walk(child, (*arg, "any", i))

    def negation(self, child: Condition, arg: Path) -> Iterator[tuple[Path, Leaf]]:
        yield from self.walk(child, (*arg, "not"))

    def leaf(self, leaf: Leaf, arg: Path) -> Iterator[tuple[Path, Leaf]]:
        yield arg, leaf


_LEAVES = _Leaves()


def iter_leaves(condition: Condition, path: Path = ()) -> Iterator[tuple[Path, Leaf]]:
    """Every leaf test with its path below the condition, for cross checks."""
    return _LEAVES.walk(condition, path)


def answer_leaves(condition: Condition) -> list[AnswerIs]:
    """The tests on answers in a condition (which items it reads)."""
    return [leaf for _, leaf in _LEAVES.walk(condition, ()) if isinstance(leaf, AnswerIs)]
