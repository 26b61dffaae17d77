"""Which wording of a position a filing uses, and whether the position fits the filing.

A position has its **as-filed** wording (its own file: the words of the filing it was taken
from) and may have reusable **variants** (``us``, ``eu``, ``general``; see
:mod:`drafter.load.library`).  For one block in one consultation:

1. a pin wins: ``variants: {ID: V}`` in the consultation, else ``variant: V`` in the
   consultation, else the template option ``variant`` (the last two only for blocks that have
   ``V``; ``as-filed`` pins the as-filed wording);
2. in its own proceeding (the consultation says ``proceeding: <seed id>``, or its docket, or
   agency short name and title, match that seed's ``proceeding`` in seeds/index.yaml) a block
   uses its as-filed wording;
3. elsewhere, the variant whose ``audience`` covers the consultation's jurisdiction: the one
   named after it (``us`` for US, ``eu`` for EU) first, then any other that names it, then one
   for ``any``;
4. otherwise the as-filed wording.

**Fit.**  A block fits a consultation when its ``jurisdictions`` cover the consultation's,
the wording chosen is not as-filed text bound to another proceeding (argument roles whose seed
was filed in a proceeding), and, as the answer to a question, its role answers questions
(recommendation, argument, concern, section-intro; not introduction, profile, framing or
closing).  Automatic choices (suggested answers, default blocks) only ever take fitting blocks;
an explicit choice outside the fit is drafted, and the draft checks name the mismatch.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from drafter.errors import LoadError
from drafter.load.models import AS_FILED

# Roles whose text argues something: their as-filed wording is bound to its proceeding.
ARGUMENT_ROLES = frozenset({"recommendation", "argument", "concern", "framing", "section-intro"})
# Roles that can answer a consultation's question.
ANSWER_ROLES = frozenset({"recommendation", "argument", "concern", "section-intro"})

# Problem kinds (the draft check that reports each).
OUTSIDE_FIT = "outside-fit"
AS_FILED_ELSEWHERE = "as-filed-elsewhere"


@dataclass(frozen=True)
class Problem:
    kind: str       # OUTSIDE_FIT | AS_FILED_ELSEWHERE
    message: str


@dataclass
class Choice:
    """The wording chosen for one block in one filing, and what is wrong with it."""

    block: object                  # drafter.load.library.Block
    variant: str                   # "as-filed" or a variant name
    problems: list[Problem] = field(default_factory=list)
    home: bool = False             # the consultation is the block's own proceeding

    @property
    def wording(self):
        """The :class:`~drafter.load.library.Block` (as-filed) or its :class:`Variant`."""
        return self.block.wording(self.variant)

    @property
    def status(self) -> str:
        return self.wording.meta.status.value

    @property
    def fits(self) -> bool:
        return not self.problems


def proceeding_of(library, block) -> dict | None:
    """The proceeding a block's as-filed wording is bound to, or None when it is not bound."""
    if block.meta.role.value not in ARGUMENT_ROLES:
        return None
    return library.proceedings.get(block.meta.source.seed)


def own_proceeding(library, block, consultation) -> bool:
    """True when ``consultation`` (a model) is the proceeding the block's seed was filed in."""
    seed = block.meta.source.seed
    if consultation.proceeding is not None:
        return consultation.proceeding == seed
    found = library.proceedings.get(seed)
    if not found:
        return False
    docket = found.get("docket")
    if docket and consultation.docket and str(docket) == consultation.docket:
        return True
    return (found.get("agency") == consultation.agency.short_name
            and found.get("title") == consultation.title)


def _automatic_variant(block, jurisdiction: str) -> str | None:
    variants = block.variants
    named = {"US": "us", "EU": "eu"}.get(jurisdiction)
    if named in variants and variants[named].meta.speaks_to(jurisdiction):
        return named
    for name, variant in variants.items():
        if jurisdiction in variant.meta.audience:
            return name
    for name, variant in variants.items():
        if "any" in variant.meta.audience:
            return name
    return None


def choose(library, block, consultation, template_variant: str | None = None,
           consultation_file=None) -> Choice:
    """The wording of ``block`` for ``consultation`` (a model), with its fit problems.

    Raises :class:`LoadError` at the consultation's line when ``variants:`` pins a variant the
    block does not have.
    """
    c = consultation
    jurisdiction = c.jurisdiction
    pinned = c.variants.get(block.id)
    variant = None
    if pinned is not None:
        if pinned != AS_FILED and pinned not in block.variants:
            path = consultation_file.path if consultation_file else None
            line = consultation_file.line_of("variants", block.id) if consultation_file else None
            have = ", ".join([AS_FILED, *block.variants])
            raise LoadError(f"position '{block.id}' has no variant '{pinned}' (it has: {have})",
                            path, line, code="unknown-variant")
        variant = pinned
    else:
        for pin in (c.variant, template_variant):
            if pin is not None and (pin == AS_FILED or pin in block.variants):
                variant = pin
                break
    explicit = variant is not None
    own = own_proceeding(library, block, c)
    if variant is None:
        variant = AS_FILED if own else (_automatic_variant(block, jurisdiction) or AS_FILED)
    choice = Choice(block, variant, home=own)
    if not block.meta.applies_to(jurisdiction):
        choice.problems.append(Problem(OUTSIDE_FIT, (
            f"position '{block.id}' is for {', '.join(block.meta.jurisdictions)}, not {jurisdiction}")))
    if variant != AS_FILED:
        meta = block.variants[variant].meta
        if explicit and not meta.speaks_to(jurisdiction):
            choice.problems.append(Problem(OUTSIDE_FIT, (
                f"the '{variant}' wording of '{block.id}' speaks to "
                f"{', '.join(meta.audience)}, not {jurisdiction}")))
    elif not own and proceeding_of(library, block) is not None:
        seed = block.meta.source.seed
        why = "pinned" if explicit else (
            f"no reusable wording for {jurisdiction}" if not block.variants else
            f"no variant of it speaks to {jurisdiction}")
        choice.problems.append(Problem(AS_FILED_ELSEWHERE, (
            f"'{block.id}' uses its as-filed wording from {seed} outside that proceeding "
            f"({why})")))
    return choice


def answers_questions(block) -> bool:
    return block.meta.role.value in ANSWER_ROLES


def fits_answer(library, block, consultation, template_variant: str | None = None) -> bool:
    """True when ``block`` may answer a question of ``consultation`` automatically."""
    if block.meta.status.value == "retired" or not answers_questions(block):
        return False
    try:
        return choose(library, block, consultation, template_variant).fits
    except LoadError:
        return False
