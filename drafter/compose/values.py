"""Values from data inserted into Markdown: escaped where they land, never "None".

The consultation, the organisation facts, the filer and the variables are data.  The composer
hands them to templates and blocks as :class:`Value` strings; when ``{{ value }}`` outputs one,
:func:`finalize` escapes it as Markdown, so a title ``*Star*`` reads ``*Star*`` in the filing
wherever it is inserted (a template's ``| md`` does the same and is not applied twice).  A
value that is missing (``None``, e.g. ``{{ consultation.docket }}`` in a consultation without
a docket) is an error at the block's or template's line, never the word "None": printed with
``{{ }}`` or joined with ``~``.  The :class:`Values` extension installs both rules.
"""

from __future__ import annotations

from jinja2.compiler import CodeGenerator, optimizeconst
from jinja2.ext import Extension

from drafter.errors import TemplateError

_MISSING = ("a value inserted here is missing (None): leave it out with {% if ... %}, or give "
            "it in the consultation or org.yaml")


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
        raise TemplateError(_MISSING, code="missing-value")
    if isinstance(value, Value):
        from drafter.compose.functions import md_escape
        return md_escape(value)
    return value


def concat(values) -> str:
    """What ``a ~ b`` gives: the values as text, joined; ``None`` raises :class:`TemplateError`."""
    out = []
    for value in values:
        if value is None:
            raise TemplateError(_MISSING, code="missing-value")
        out.append(str(value))
    return "".join(out)


class _CodeGenerator(CodeGenerator):
    """Jinja's code generator with ``~`` going through :func:`concat`."""

    @optimizeconst
    def visit_Concat(self, node, frame) -> None:
        self.write("environment.drafter_concat((")
        for arg in node.nodes:
            self.visit(arg, frame)
            self.write(", ")
        self.write("))")


class Values(Extension):
    """Installs :func:`finalize` for ``{{ }}`` and :func:`concat` for ``~`` in an environment
    (before any template is compiled; the compiled-template cache sees the extension)."""

    def __init__(self, environment):
        super().__init__(environment)
        before = environment.finalize  # the environment's own (e.g. size limits) runs after
        environment.finalize = finalize if before is None else (
            lambda value: before(finalize(value)))
        environment.code_generator_class = _CodeGenerator
        environment.drafter_concat = concat
