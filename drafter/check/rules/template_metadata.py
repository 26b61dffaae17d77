"""The YAML metadata comment that opens a template (``{# description: ... #}``): readable
YAML, known keys, and values of the right kind (jurisdictions, kinds, priority...).  A broken
metadata comment would otherwise be ignored and the template silently never chosen."""

import dataclasses

from drafter.check.rule import Rule
from drafter.errors import DrafterError
from drafter.load.library import suggest


def _expected(key, value):
    from drafter.load.models import Kind

    if key in ("jurisdictions", "kinds"):
        allowed = ("US", "EU", "UK", "other") if key == "jurisdictions" else [k.value for k in Kind]
        if not isinstance(value, list):
            return f"'{key}' must be a list"
        bad = [str(v) for v in value if str(v) not in allowed]
        if bad:
            return f"'{key}': unknown value '{bad[0]}'{suggest(bad[0], allowed)}"
    elif key == "priority" and (isinstance(value, bool) or not isinstance(value, int)):
        return "'priority' must be a whole number"
    elif key == "questions" and not isinstance(value, bool):
        return "'questions' must be true or false"
    elif key == "options" and not isinstance(value, dict):
        return "'options' must be a mapping"
    elif key == "description" and not isinstance(value, str):
        return "'description' must be text"
    return None


def check(ctx, report):
    from drafter.compose.templates import _META, TemplateInfo
    from drafter.load.yamlsrc import parse_yaml

    known = [f.name for f in dataclasses.fields(TemplateInfo) if f.name not in ("name", "path")]
    for t in ctx.templates:
        match = _META.match(t.text)
        if not match:
            continue
        offset = t.text.count("\n", 0, match.start(1))
        try:
            data, smap = parse_yaml(match.group(1), t.path, line_offset=offset)
        except DrafterError as exc:
            if t.partial:
                continue  # a partial's opening comment is documentation, not metadata
            report(f"template metadata: {exc.message}", t.path, exc.line, exc.col)
            continue
        if not isinstance(data, dict) or t.partial:
            continue
        for key, value in data.items():
            line, col = smap.locate((key,))
            if key not in known:
                report(f"template metadata: unknown key '{key}'{suggest(str(key), known)}",
                       t.path, line, col)
                continue
            problem = _expected(key, value)
            if problem:
                report(f"template metadata: {problem}", t.path, line, col)


RULE = Rule("template-metadata", "error", "malformed or unknown template metadata", check)
