"""Values from data inserted into Markdown: escaped where they land, never "None".

The consultation, the organisation facts, the filer and the variables are data.  The composer
hands them to templates and blocks as :class:`Value` strings; when ``{{ value }}`` outputs one,
:func:`finalize` escapes it as Markdown, so a title ``*Star*`` reads ``*Star*`` in the filing
wherever it is inserted (a template's ``| md`` does the same and is not applied twice).  A
value that is missing (``None``, e.g. ``{{ consultation.docket }}`` in a consultation without
a docket) is an error at the block's or template's line, never the word "None".
"""

from __future__ import annotations

from drafter.errors import TemplateError


class Value(str):
    """A string that came from data (consultation, org facts, filer, variables)."""

    __slots__ = ()


def tag(data):
    """``data`` with every string in it (in dicts, lists and tuples) made a :class:`Value`;
    keys and other types are kept as they are."""
    if isinstance(data, str):
        return data if isinstance(data, Value) else Value(data)
    if isinstance(data, dict):
        return {key: tag(value) for key, value in data.items()}
    if isinstance(data, (list, tuple)):
        return type(data)(tag(value) for value in data)
    return data


def finalize(value):
    """What ``{{ value }}`` writes: a :class:`Value` escaped as Markdown, anything else as is;
    ``None`` raises :class:`TemplateError` (the composer adds the file and line)."""
    if value is None:
        raise TemplateError("a value inserted here is missing (None): leave it out with "
                            "{% if ... %}, or give it in the consultation or org.yaml",
                            code="missing-value")
    if isinstance(value, Value):
        from drafter.compose.functions import md_escape
        return md_escape(value)
    return value
