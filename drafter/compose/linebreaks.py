"""Line ends after Jinja tags: a tag alone on its line leaves no line, any other keeps its break.

Jinja's ``trim_blocks`` removes the newline after *every* block or comment tag.  That is right
for a tag standing alone on its line (``{% for b in blocks %}``), and wrong for one that ends a
line of text: ``We support it{% if x %} in docket X{% endif %}`` followed by a blank line would
lose its line break and merge with the next paragraph or list item.  :class:`LineBreaks`
rewrites such a closing ``%}`` (or ``#}``) as ``+%}`` (``+#}``), Jinja's own switch that keeps
the newline, before the template is compiled.  Templates and position blocks both go through it.
"""

from __future__ import annotations

import re

from jinja2.ext import Extension

# Tags in source order; DOTALL so multi-line tags and comments are one match.
_TAG = re.compile(r"\{%.*?%\}|\{#.*?#\}|\{\{.*?\}\}", re.DOTALL)
_RAW = re.compile(r"\{%[-+]?\s*raw\s*[-+]?%\}$")
_ENDRAW = re.compile(r"\{%[-+]?\s*endraw\s*[-+]?%\}")


def keep_line_breaks(source: str) -> str:
    """``source`` with every block or comment tag that ends a line of other content marked
    ``+%}`` / ``+#}``, so that Jinja keeps the newline after it; tags alone on their line (with
    only spaces, block tags or comments around them) are left to ``trim_blocks``."""
    out: list[str] = []
    pos = 0
    content = False  # the current output line has text or a {{ value }} so far
    for match in _TAG.finditer(source):
        if match.start() < pos:  # inside a {% raw %} block: left as it is
            continue
        text = source[pos:match.start()]
        if "\n" in text:
            content = bool(text.rsplit("\n", 1)[1].strip())
        elif text.strip():
            content = True
        out.append(text)
        tag = match.group(0)
        pos = match.end()
        if tag.startswith("{{"):
            content = True
        elif content and source.startswith("\n", pos) and tag[-3] not in "-+":
            tag = tag[:-2] + "+" + tag[-2:]
        if "\n" in tag:
            content = tag.startswith("{{") or False
        out.append(tag)
        if _RAW.match(tag):
            end = _ENDRAW.search(source, pos)
            stop = end.start() if end else len(source)
            out.append(source[pos:stop])
            content = bool(source[pos:stop].rsplit("\n", 1)[-1].strip())
            pos = stop
    out.append(source[pos:])
    return "".join(out)


class LineBreaks(Extension):
    """The Jinja extension that applies :func:`keep_line_breaks` to every template source."""

    def preprocess(self, source, name, filename=None):
        return keep_line_breaks(source)
