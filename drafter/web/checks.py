"""Draft checks for the browser: what is wrong and what to do, in words for staff.

``drafter draft`` and ``drafter check`` word their findings for the terminal ("drafter
positions approve ID --variant V", "org.yaml: address", "answers.3.positions"); staff in the
browser cannot run commands or edit settings files.  :func:`for_browser` rewords the findings
the web shows: each says what is wrong, and either links to the page that does the fix (a
position's page, where a reviewer approves it; a question of this page) or says who can fix it.
Findings without a rewording here are shown as the CLI words them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import quote

_UNAPPROVED = re.compile(r"^(?:the (?:'(?P<variant>[^']+)' )?wording of )?position "
                         r"'(?P<id>[^']+)' (?:(?P<draft>is not approved yet)|changed since it "
                         r"was approved)")
_PLACEHOLDER = re.compile(r"^leftover placeholder '\[\[TODO: (?P<what>.*?)"
                          r"(?: \((?P<file>[\w.-]+): (?P<key>[\w.-]+)\))?\]\]'$")
_ANSWER_TO = re.compile(r"^answer to question (?P<qid>\S+)$")
_CHOOSE = re.compile(r"^(?P<what>the [^:]+): choose positions for this consultation$")
_ADD_QUESTIONS = re.compile(r"^the questions of the (?P<what>\w+): add them to the "
                            r"consultation file$")
_UNREVIEWED = re.compile(r"^question (?P<qid>\S+) is answered with (?P<ids>.+?), "
                         r"(?:recorded by drafter suggest --write|picked automatically) and "
                         r"not reviewed")
_RETIRED = re.compile(r"^retired position '(?P<id>[^']+)' is used")
_NOT_FOR = re.compile(r"^position '(?P<id>[^']+)' is for (?P<for>.+), not (?P<here>\S+)$")
_ELSEWHERE = re.compile(r"^'(?P<id>[^']+)' uses its as-filed wording from (?P<seed>.+) outside "
                        r"that proceeding")
_REPEATED = re.compile(r"^position '(?P<id>[^']+)' answers question (?P<qid>\S+) and question "
                       r"(?P<first>\S+): ")
# Findings about one position, by rule: (the CLI message's pattern, what the page says; the
# pattern's groups and the position's title fill it in).
_ABOUT_A_POSITION = {
    "retired-in-use": (_RETIRED, "“{title}” is retired but still in this filing: remove it "
                       "where it answers a question, or ask a reviewer which position "
                       "replaces it."),
    "outside-fit": (_NOT_FOR, "“{title}” is written for {for} filings, not {here} ones: remove "
                    "it where it answers a question, or ask a reviewer for a wording that "
                    "fits."),
    "as-filed-elsewhere": (_ELSEWHERE, "“{title}” is in the words of the filing it was taken "
                           "from ({seed}), which belong to that proceeding: a reviewer writes a "
                           "reusable wording of it for filings like this one."),
    "repeated-answer": (_REPEATED, "“{title}” answers question {first} and question {qid}, so "
                        "the filing prints its text twice: answer one of them with other "
                        "text, or say there that the earlier answer applies."),
}

# The organisation's settings a placeholder can name (org.yaml keys), as staff call them.
ORG_FIELDS = {"address": "mailing address",
              "transparency_register": "EU Transparency Register number"}
MAINTAINER = ("whoever looks after drafter's workspace sets it in the organisation's settings "
              "(org.yaml, {key}); every filing then has it")


@dataclass
class Link:
    href: str
    label: str


@dataclass
class Check:
    """One finding as the browser shows it: ``severity`` ("error" or "warning"), ``text``
    (one sentence or two), ``links`` to the pages that fix it (may be empty), ``code`` (the
    rule, as ``drafter check`` names it)."""

    severity: str
    text: str
    code: str
    links: list[Link] = field(default_factory=list)


def _title(library, pid: str) -> str:
    return library.blocks[pid].meta.title if library is not None and pid in library else pid


def _position(library, pid: str) -> Link:
    return Link(f"/library/{quote(pid)}", _title(library, pid))


def _question(qid: str) -> Link:
    return Link(f"#q-{quote(qid)}", f"Question {qid}")


def _placeholder(d, found) -> Check | None:
    what, file, key = found.group("what"), found.group("file"), found.group("key")
    if file == "org.yaml":
        name = ORG_FIELDS.get(key, what)
        return Check(d.severity, f"The organisation's {name} is not set, so the filing shows a "
                     f"gap where it goes: {MAINTAINER.format(key=key)}.", d.code)
    choose = _CHOOSE.match(what)
    if choose:
        return Check(d.severity, f"The filing has no positions yet ({choose.group('what')} is "
                     "missing): accept positions at the questions, or ask whoever prepared "
                     "this consultation to choose them.", d.code)
    questions = _ADD_QUESTIONS.match(what)
    if questions:
        return Check(d.severity, f"This consultation has no questions yet, so the filing shows "
                     f"a gap for the questions of the {questions.group('what')}: whoever "
                     "prepared it adds them to the consultation.", d.code)
    if what == "date of filing":
        return Check(d.severity, "The filing has no date yet: set it under Filing, “Date of "
                     "filing”.", d.code)
    return Check(d.severity, f"The filing still shows a gap to fill: “{what}”"
                 + (f" ({file}, {key})" if file else "") + ": whoever prepared this "
                 "consultation fills it in, in its file.", d.code)


def for_browser(diagnostics, library=None) -> list[Check]:
    """``diagnostics`` (:class:`drafter.errors.Diagnostic`, of a draft) as :class:`Check`
    items for the consultation page, in their order; the findings of rule
    ``unapproved-in-use`` become one item (two when some wordings were edited since their
    approval), at the place of the first, linking to each position to approve, and so do the questions without an answer (placeholders "answer to
    question N"), linking to each question.  ``library`` (a :class:`drafter.load.library.Library`, or None) gives
    the positions' titles."""
    out: list[Check] = []
    unapproved: dict[bool, Check] = {}     # still draft (True), edited since approval
    unanswered: Check | None = None
    for d in diagnostics:
        message = d.message
        found = _PLACEHOLDER.match(message) if d.code == "placeholder" else None
        answer = _ANSWER_TO.match(found.group("what")) if found else None
        if answer:
            if unanswered is None:
                unanswered = Check(d.severity, "", d.code)
                out.append(unanswered)
            unanswered.links.append(_question(answer.group("qid")))
            continue
        found = _UNAPPROVED.match(message) if d.code == "unapproved-in-use" else None
        if found:
            link = _position(library, found.group("id"))
            if found.group("variant"):
                link.label += f" ({found.group('variant')} wording)"
            # the position's page opens at the wording to approve
            link.href += f"#wording-{quote(found.group('variant') or 'as-filed')}"
            draft = bool(found.group("draft"))
            if draft not in unapproved:
                unapproved[draft] = Check(d.severity, "", d.code)
                out.append(unapproved[draft])
            unapproved[draft].links.append(link)
            continue
        found = _PLACEHOLDER.match(message) if d.code == "placeholder" else None
        if found:
            out.append(_placeholder(d, found))
            continue
        found = _UNREVIEWED.match(message) if d.code == "unreviewed-answer" else None
        if found:
            qid = found.group("qid")
            titles = ", ".join(f"“{_title(library, p.strip())}”"
                               for p in found.group("ids").split(","))
            out.append(Check(d.severity, f"Question {qid} is answered by {titles}, a "
                             "suggestion drafter picked that nobody has accepted yet: Accept "
                             "or Reject it at the question.", d.code, [_question(qid)]))
            continue
        about = _ABOUT_A_POSITION.get(d.code)
        found = about[0].match(message) if about else None
        if found:
            pid = found.group("id")
            # where it is fixed: at the questions it answers twice, else on the position's page
            links = ([_question(found.group("first")), _question(found.group("qid"))]
                     if d.code == "repeated-answer" else [_position(library, pid)])
            out.append(Check(d.severity, about[1].format(title=_title(library, pid),
                                                         **found.groupdict()), d.code, links))
            continue
        out.append(Check(d.severity, message[:1].upper() + message[1:], d.code))
    if unanswered is not None:
        ids = [link.label.split(" ", 1)[1] for link in unanswered.links]
        if len(ids) == 1:
            unanswered.text = (f"Question {ids[0]} has no answer yet, so the filing shows a "
                               "reminder there: accept a position or write the answer at the "
                               "question.")
        else:
            unanswered.text = (f"Questions {', '.join(ids[:-1])} and {ids[-1]} have no answer "
                               "yet, so the filing shows a reminder at each: accept a position "
                               "or write the answer at the question.")
    for draft, check in unapproved.items():
        n = len(check.links)
        what = f"{n} wording{'s' if n != 1 else ''} in this filing"
        verb = "are" if n != 1 else "is"
        check.text = (f"{what} {verb} not approved yet: a reviewer approves draft wordings, "
                      "with Approve on the position's page." if draft else
                      f"{what} {'were' if n != 1 else 'was'} changed since a reviewer "
                      f"approved {'them' if n != 1 else 'it'}, and {verb} not approved until "
                      "approved again: a reviewer approves the new words, with Approve on the "
                      "position's page.")
    return out


def placeholder_facts(checks) -> list[str]:
    """What the filing's placeholders other than unanswered questions stand for, as the
    placeholder check found them (``checks``: its diagnostics), in order, each once, without
    the setting a placeholder names: ``["the agency's address", "mailing address", ...]``."""
    out: list[str] = []
    for c in checks:
        found = _PLACEHOLDER.match(getattr(c, "message", ""))
        if found and not _ANSWER_TO.match(found.group("what")) \
                and found.group("what") not in out:
            out.append(found.group("what"))
    return out
