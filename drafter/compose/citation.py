"""How a filing names the notice it answers: legal-style citations and agency references.

``fed_reg("88 FR 58211", date(2023, 8, 25))`` gives "88 Fed. Reg. 58,211 (Aug. 25, 2023)",
the form US filings use (the Bluebook's, with its month abbreviations).  A citation drafter
does not recognise is kept as written.
"""

from __future__ import annotations

import datetime as dt
import re

_BLUEBOOK_MONTHS = ("Jan.", "Feb.", "Mar.", "Apr.", "May", "June", "July", "Aug.", "Sept.",
                    "Oct.", "Nov.", "Dec.")
_FR = re.compile(r"^\s*(\d+)\s*(?:FR|F\.\s?R\.|Fed\.?\s*Reg\.?)\s*([\d,]+)\s*$", re.I)


def short_date(value: dt.date) -> str:
    """'Aug. 25, 2023'."""
    return f"{_BLUEBOOK_MONTHS[value.month - 1]} {value.day}, {value.year}"


def fed_reg(citation: str | None, published: dt.date | None = None) -> str:
    """A Federal Register citation in legal style, with the publication date when known:
    "88 FR 58211" -> "88 Fed. Reg. 58,211 (Aug. 25, 2023)".  Empty for no citation."""
    if not citation:
        return ""
    match = _FR.match(citation)
    if match:
        volume, page = match.group(1), int(match.group(2).replace(",", ""))
        text = f"{volume} Fed. Reg. {page:,}"
    else:
        text = " ".join(citation.split())
    if published is not None:
        text += f" ({short_date(published)})"
    return text


def notice_citation(consultation, docket_labels: list[str]) -> str:
    """The footnote citing the notice, as Markdown: the title in italics, the dockets, the
    document type and agency number when known, the Federal Register citation with its date,
    and the address.  ``consultation`` is a :class:`drafter.load.models.Consultation`."""
    from drafter.compose.functions import md_escape

    parts = [f"*{md_escape(consultation.title)}*"]
    parts.extend(md_escape(label) for label in docket_labels)
    if consultation.document_type:
        parts.append(md_escape(consultation.document_type))
    if consultation.agency_number:
        parts.append(md_escape(consultation.agency_number))
    cited = fed_reg(consultation.citation, consultation.published)
    if cited:
        parts.append(md_escape(cited))
    elif consultation.published is not None:
        parts[-1] += f" ({short_date(consultation.published)})"
    text = ", ".join(parts)
    if consultation.url:
        text += f", <{consultation.url}>"
    return text + "."


_LABELLED = re.compile(r"(?i)\b(docket|no\.|#)")


def docket_label(docket: str) -> str:
    """"Docket No. X", unless the docket names itself ("WC Docket No. 17-108")."""
    docket = docket.strip()
    return docket if _LABELLED.search(docket) else f"Docket No. {docket}"


_NUMBERED = re.compile(r"^(?P<head>.*?\bNo\.)\s*(?P<number>\S.*)$")


def joined_dockets(labels: list[str]) -> str:
    """Several docket labels as one line: "PS Docket Nos. 24-146, 22-90" when they share their
    words before "No.", else joined with "; "."""
    if len(labels) <= 1:
        return "".join(labels)
    parts = [_NUMBERED.match(label) for label in labels]
    if all(parts) and len({m.group("head") for m in parts}) == 1:
        head = parts[0].group("head")[:-len("No.")]
        return f"{head}Nos. " + ", ".join(m.group("number") for m in parts)
    return "; ".join(labels)


_ACRONYM = re.compile(r"^[A-Z][A-Z0-9&.-]*$")


def _names_the_subject(name: str, short: str) -> bool:
    """Whether ``short`` is what the agency is of ("Commerce" for the Department of Commerce,
    "Treasury" for the Department of the Treasury): a proper name, used without "the"."""
    _, of, subject = name.partition(" of ")
    words = subject.lower().split()
    if words[:1] == ["the"]:
        words = words[1:]
    return bool(of) and short.lower().split() == words


def agency_mentions(name: str, short_name: str, ref: str | None = None) -> tuple[str, str]:
    """(first mention, later mentions) in house practice: the full name once with its short
    form in parentheses, then the short form.  ``ref``, when the consultation gives it, is the
    short form.  Otherwise a Commission is "the Commission" after its first mention ("Federal
    Communications Commission (the Commission)"); an acronym stands alone ("National
    Telecommunications and Information Administration (NTIA)", then "NTIA"); so does the
    subject of a department ("Department of Commerce (Commerce)"); another short name that
    is a word takes "the" ("Department of Commerce (the Department)"). A short name that is
    the name itself introduces nothing: "Home Office", then "the Home Office"."""
    name, short = " ".join(name.split()), " ".join(short_name.split())
    bare = short[4:] if short.lower().startswith("the ") else short
    if not ref and bare.lower() == name.lower():
        # no shorter form to introduce: "the Home Office" all along, "Ofcom" alone
        return name, (name if " " not in name else f"the {name}")
    if ref:
        later = " ".join(ref.split())
    elif name.lower().endswith("commission"):
        later = "the Commission"
    elif _ACRONYM.match(short) or _names_the_subject(name, short):
        later = short
    else:
        later = short if short.lower().startswith("the ") else f"the {short}"
    # a later form that is the name itself, with or without "the", introduces nothing:
    # "Home Office" then "the Home Office", never "Home Office (the Home Office)"
    plain = later[4:] if later.lower().startswith("the ") else later
    return (f"{name} ({later})" if plain.lower() != name.lower() else name), later
