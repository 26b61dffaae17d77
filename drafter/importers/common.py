"""What every importer needs: reading JSON with file:line errors, dates, agencies, kinds."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

from drafter.errors import LoadError
from drafter.load.yamlsrc import read_text


MAX_IMPORT_BYTES = 20 * 2**20   # a Federal Register record is ~100 KB, a question list less


def read_import(path: Path, what: str) -> str:
    """An importer's input as text, refused above :data:`MAX_IMPORT_BYTES`."""
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError:
        size = 0   # read_text reports a missing or unreadable file
    if size > MAX_IMPORT_BYTES:
        raise LoadError(f"{size:,} bytes is too large for {what} (at most "
                        f"{MAX_IMPORT_BYTES:,})", path)
    return read_text(path)


def read_json(path: Path, what: str):
    """The JSON document in ``path``; errors name the file (and line) and say what was expected."""
    text = read_import(Path(path), what)
    if not text.strip():
        raise LoadError(f"empty file: expected {what} (JSON)", path)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise LoadError(f"not JSON ({exc.msg}): expected {what}", path, exc.lineno,
                        exc.colno) from None
    except RecursionError:
        raise LoadError(f"JSON nested too deep: expected {what}", path) from None


def text_field(record: dict, key: str) -> str | None:
    """A string field, whitespace collapsed; None when missing, null, empty or not text."""
    value = record.get(key)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        return None
    value = " ".join(value.split())
    return value or None


# --- dates ------------------------------------------------------------------------------------

_MONTHS = {name: i for i, names in enumerate((
    ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",),
    ("june", "jun"), ("july", "jul"), ("august", "aug"), ("september", "sep", "sept"),
    ("october", "oct"), ("november", "nov"), ("december", "dec")), start=1) for name in names}
_MONTH = r"(?P<month>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_DATE_PATTERNS = (
    re.compile(_MONTH + r"\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<year>\d{4})", re.I),
    re.compile(r"(?P<day>\d{1,2})(?:st|nd|rd|th)?\s+" + _MONTH + r",?\s+(?P<year>\d{4})", re.I),
    re.compile(r"(?P<year>\d{4})-(?P<mnum>\d{2})-(?P<day>\d{2})"),
    re.compile(r"(?P<mnum>\d{1,2})/(?P<day>\d{1,2})/(?P<year>\d{4})"),
)
# A comment period extended or reopened: the deadline is the first date after these words.
_EXTENSION = re.compile(r"\b(?:extended|extends|extending|reopened|reopens|reopening)\b", re.I)
# Words before a date in an extension notice that make it the old date, not the new one.
_EARLIER = re.compile(r"\b(?:published|originally|original|first|previously|formerly|set for|"
                      r"closed|closing|dated|was|of)\b[^0-9]{0,20}$", re.I)
# Sentences that give the comment deadline, best first: "comment(s)" (not "reply comments")
# followed by one of the first cue words before the next period, else any of the second.
_COMMENT_WORD = re.compile(r"\b(?<!reply )comments?\b", re.I)
_COMMENT_CUE = re.compile(r"\b(?:due|received|submitted|on or before|no later|by)\b", re.I)
_DEADLINE_WORDS = re.compile(r"\b(?:due|on or before|no later than|must be received|deadline)\b",
                             re.I)
MAX_DATES_TEXT = 20_000   # characters of a free-text dates paragraph that are read


def _comment_cue(sentence: str) -> bool:
    """Whether some "comment(s)" is followed by a cue word before the next period; linear
    in the sentence (a pattern with ``[^.]*`` between the two is quadratic on long text)."""
    import bisect

    cues = [m.start() for m in _COMMENT_CUE.finditer(sentence)]
    if not cues:
        return False
    dots = [i for i, ch in enumerate(sentence) if ch == "."]
    for m in _COMMENT_WORD.finditer(sentence):
        at = bisect.bisect_left(cues, m.end())
        if at == len(cues):
            return False
        dot = bisect.bisect_left(dots, m.end())
        if dot == len(dots) or cues[at] < dots[dot]:
            return True
    return False


_DEADLINE_CUES = (_comment_cue, lambda sentence: _DEADLINE_WORDS.search(sentence) is not None)


def parse_date(value) -> dt.date | None:
    """An ISO date (or date-time) string as a date; None when it is not one."""
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        return dt.date.fromisoformat(value.strip()[:10])
    except ValueError:
        return None


def dates_in(text: str) -> list[dt.date]:
    """Every calendar date written in ``text`` ("March 19, 2018", "19 March 2018", ISO, US
    numeric), in the order they appear."""
    return [d for _, d in dates_at(text)]


def dates_at(text: str) -> list[tuple[int, dt.date]]:
    """Like :func:`dates_in`, with each date's offset in ``text``."""
    found: list[tuple[int, dt.date]] = []
    for pattern in _DATE_PATTERNS:
        for m in pattern.finditer(text):
            groups = m.groupdict()
            month = _MONTHS.get(groups["month"].lower()) if groups.get("month") else \
                int(groups["mnum"])
            try:
                found.append((m.start(), dt.date(int(groups["year"]), month, int(groups["day"]))))
            except (ValueError, TypeError):
                continue
    return sorted(found, key=lambda item: item[0])


def deadline_from_text(text: str | None) -> dt.date | None:
    """The comment deadline in a free-text ``dates`` paragraph, e.g. "Comments are due on or
    before 5 p.m. Eastern Time on March 19, 2018. Reply comments are due April 2, 2018.".
    Only the first :data:`MAX_DATES_TEXT` characters are read."""
    if not text:
        return None
    text = text[:MAX_DATES_TEXT]
    sentences = re.split(r"(?<=[.;])\s+(?=[A-Z])", text)
    for sentence in sentences:  # "... is extended until July 8, 2019": the new date wins
        extension = _EXTENSION.search(sentence)
        if extension:
            rest = sentence[extension.end():]
            for at, date in dates_at(rest):  # not the old date ("first set for June 1")
                if not _EARLIER.search(rest[max(0, at - 40):at]):
                    return date
    for cue in _DEADLINE_CUES:
        for sentence in sentences:
            if cue(sentence):
                found = dates_in(sentence)
                if found:
                    return found[0]
    found = dates_in(text)
    return found[0] if found else None


# --- agencies ---------------------------------------------------------------------------------

# Short names agencies use for themselves, where initials would be wrong or ambiguous.
KNOWN_AGENCIES = {
    "national telecommunications and information administration": "NTIA",
    "cybersecurity and infrastructure security agency": "CISA",
    "federal communications commission": "FCC",
    "federal trade commission": "FTC",
    "national institute of standards and technology": "NIST",
    "commerce department": "DOC",
    "department of commerce": "DOC",
    "homeland security department": "DHS",
    "department of homeland security": "DHS",
    "justice department": "DOJ",
    "department of justice": "DOJ",
    "industry and security bureau": "BIS",
    "bureau of industry and security": "BIS",
    "patent and trademark office": "USPTO",
    "united states patent and trademark office": "USPTO",
    "copyright office, library of congress": "Copyright Office",
    "copyright office": "Copyright Office",
    "trade representative, office of united states": "USTR",
    "office of the united states trade representative": "USTR",
    "federal energy regulatory commission": "FERC",
    "securities and exchange commission": "SEC",
    "state department": "State",
    "national science foundation": "NSF",
    "office of management and budget": "OMB",
    "office of the national cyber director": "ONCD",
}
# The Federal Register's inverted names ("Commerce Department") as agencies write them.
_FORMAL_NAMES = {
    "commerce department": "U.S. Department of Commerce",
    "homeland security department": "U.S. Department of Homeland Security",
    "justice department": "U.S. Department of Justice",
    "industry and security bureau": "Bureau of Industry and Security",
    "patent and trademark office": "United States Patent and Trademark Office",
    "copyright office, library of congress": "U.S. Copyright Office",
    "trade representative, office of united states": "Office of the United States Trade Representative",
    "state department": "U.S. Department of State",
}
_NAMES_BY_SHORT = {
    "NTIA": "National Telecommunications and Information Administration",
    "CISA": "Cybersecurity and Infrastructure Security Agency",
    "FCC": "Federal Communications Commission",
    "FTC": "Federal Trade Commission",
    "NIST": "National Institute of Standards and Technology",
    "DOC": "U.S. Department of Commerce",
    "DHS": "U.S. Department of Homeland Security",
    "DOJ": "U.S. Department of Justice",
    "BIS": "Bureau of Industry and Security",
    "USPTO": "United States Patent and Trademark Office",
    "USTR": "Office of the United States Trade Representative",
    "COLC": "U.S. Copyright Office",
    "FERC": "Federal Energy Regulatory Commission",
    "SEC": "Securities and Exchange Commission",
    "OMB": "Office of Management and Budget",
    "NSF": "National Science Foundation",
}
_MINOR = {"of", "and", "the", "for", "on", "in", "to", "a", "an", "&", "u.s.", "us"}


def agency_name(name: str) -> str:
    """The agency's name as it writes it ("Commerce Department" -> "U.S. Department of Commerce")."""
    return _FORMAL_NAMES.get(name.lower(), name)


def short_name(name: str) -> str:
    """An agency's usual short name: a known acronym, else its initials."""
    known = KNOWN_AGENCIES.get(name.lower())
    if known:
        return known
    words = [w for w in re.findall(r"[A-Za-z][A-Za-z.'-]*", name) if w.lower() not in _MINOR]
    initials = "".join(w[0].upper() for w in words)
    return initials or name


def name_for_short(short: str) -> str | None:
    return _NAMES_BY_SHORT.get(short.upper())


# --- kinds ------------------------------------------------------------------------------------

def kind_from(doc_type: str | None, *texts: str | None) -> str:
    """The consultation kind from a document type ("Notice", "Proposed Rule", ...) and the
    free texts that describe the action ("Request for information.", the title)."""
    text = " ".join(t for t in texts if t).lower()
    doc_type = (doc_type or "").strip().lower()
    if re.search(r"request(s|ing)? for information|\brfi\b", text):
        return "rfi"
    if doc_type in ("proposed rule", "prorule") or re.search(r"proposed rul(e|emaking)", text):
        return "nprm"
    if re.search(r"request(s|ing)? for (public )?comments?|notice of inquiry|"
                 r"request(s|ing)? (public )?comments?|comment request|\bnoi\b", text):
        return "rfc"
    if doc_type in ("notice",) and "comment" in text:
        return "rfc"
    return "other"


_DOCKET_PREFIX = re.compile(r"^\s*(?:docket\s*(?:no\.?|number|num\.?|#|id:?)?|no\.)\s*[:#]?\s*",
                            re.I)


def clean_docket(value: str) -> str:
    """A docket id without its label: "Docket No. 170602536-7536-01" -> "170602536-7536-01"."""
    cleaned = _DOCKET_PREFIX.sub("", " ".join(str(value).split()))
    return cleaned or " ".join(str(value).split())
