"""A standalone HTML preview: readable in any browser, numbers shown as in Word."""

from __future__ import annotations

from html import escape

from drafter.model.nodes import (BlockQuote, Code, CodeBlock, Div, Document, Emph, FootnoteRef,
                                 Heading, LineBreak, Link, ListBlock, Paragraph, SoftBreak,
                                 Strike, Strong, Table, Text, ThematicBreak)
from drafter.model.text import OutlineCounter, walk
from drafter.writers import WriteContext

_CSS = """
body{font-family:Georgia,'Times New Roman',serif;max-width:46em;margin:2em auto;padding:0 1em;
line-height:1.5;color:#1b1b1b}
h1,h2,h3,h4{font-family:Helvetica,Arial,sans-serif;line-height:1.25}
.title{font-size:1.6em;font-weight:bold;text-align:center}
.subtitle{text-align:center;font-weight:bold}
.center{text-align:center}.right{text-align:right}
.block{border-left:3px solid #e3e8ef;padding-left:.8em;margin-left:-.95em}
.block:hover{border-left-color:#7a9cc6}
.block:hover::before{content:attr(data-block);font:11px monospace;color:#7a9cc6;float:right}
.num{margin-right:.5em}
.todo{background:#fff3b0}
.review-note p{background:#fff3b0;display:inline}
blockquote{border-left:3px solid #ccc;margin-left:0;padding-left:1em;color:#444}
table{border-collapse:collapse}td,th{border:1px solid #bbb;padding:.2em .5em}
.footnotes{font-size:.9em;border-top:1px solid #ccc;margin-top:2em}
nav.toc ul{list-style:none;padding-left:0}nav.toc .toc2{padding-left:1.5em}
nav.toc .toc3{padding-left:3em}nav.toc h2{font-size:1.1em;text-align:center}
"""


class HtmlRenderer:
    def __init__(self, doc: Document):
        self.doc = doc
        self.counter = OutlineCounter(doc.options.get("outline", "none"))
        self.heading_ids: dict[int, str] = {}
        self.contents: list[tuple[int, str, str]] = []  # level, id, shown text
        self._contents_for_toc()

    def _contents_for_toc(self) -> None:
        """Heading ids and the entries of a ``{.toc}`` (numbers as the headings show them)."""
        counter = OutlineCounter(self.doc.options.get("outline", "none"))
        for n, node in enumerate(walk(self.doc.children), start=1):
            if isinstance(node, Heading):
                anchor = f"h{n}"
                self.heading_ids[id(node)] = anchor
                number = counter.number(node)
                if node.level <= 3:
                    text = self.inlines(node.children)
                    self.contents.append((node.level, anchor, f"{number} {text}" if number
                                          else text))

    def toc(self) -> str:
        items = "".join(f'<li class="toc{level}"><a href="#{anchor}">{text}</a></li>'
                        for level, anchor, text in self.contents)
        return f'<nav class="toc"><h2>Table of Contents</h2><ul>{items}</ul></nav>'

    def inlines(self, nodes) -> str:
        out = []
        for node in nodes:
            if isinstance(node, Text):
                text = escape(node.text)
                out.append(text.replace("[[", '<span class="todo">[[').replace("]]", "]]</span>")
                           if "[[" in text else text)
            elif isinstance(node, Code):
                out.append(f"<code>{escape(node.text)}</code>")
            elif isinstance(node, SoftBreak):
                out.append("\n")
            elif isinstance(node, LineBreak):
                out.append("<br>\n")
            elif isinstance(node, Strong):
                out.append(f"<strong>{self.inlines(node.children)}</strong>")
            elif isinstance(node, Emph):
                out.append(f"<em>{self.inlines(node.children)}</em>")
            elif isinstance(node, Strike):
                out.append(f"<del>{self.inlines(node.children)}</del>")
            elif isinstance(node, Link):
                out.append(f'<a href="{escape(node.href, True)}">{self.inlines(node.children)}</a>')
            elif isinstance(node, FootnoteRef):
                out.append(f'<sup><a href="#fn{node.number}" id="fnref{node.number}">'
                           f'{node.number}</a></sup>')
        return "".join(out)

    def blocks(self, nodes) -> str:
        out = []
        for node in nodes:
            if isinstance(node, Heading):
                number = self.counter.number(node)
                num = f'<span class="num">{number}</span>' if number else ""
                level = min(node.level + 1, 6)
                anchor = self.heading_ids.get(id(node), "")
                out.append(f'<h{level} id="{anchor}">{num}{self.inlines(node.children)}'
                           f"</h{level}>")
            elif isinstance(node, Paragraph):
                out.append(f"<p>{self.inlines(node.children)}</p>")
            elif isinstance(node, ListBlock):
                tag = "ol" if node.ordered else "ul"
                start = f' start="{node.start}"' if node.ordered and node.start != 1 else ""
                items = "".join(f"<li>{self.blocks(i.children)}</li>" for i in node.items)
                out.append(f"<{tag}{start}>{items}</{tag}>")
            elif isinstance(node, BlockQuote):
                out.append(f"<blockquote>{self.blocks(node.children)}</blockquote>")
            elif isinstance(node, CodeBlock):
                out.append(f"<pre><code>{escape(node.text)}</code></pre>")
            elif isinstance(node, ThematicBreak):
                out.append("<hr>")
            elif isinstance(node, Table):
                head = "".join(f"<th>{self.inlines(c.children)}</th>" for c in node.header)
                body = "".join("<tr>" + "".join(f"<td>{self.inlines(c.children)}</td>" for c in r)
                               + "</tr>" for r in node.rows)
                out.append(f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")
            elif isinstance(node, Div) and "toc" in node.classes:
                out.append(self.toc())
            elif isinstance(node, Div):
                classes = " ".join(node.classes)
                data = ""
                if "block" in node.classes:
                    data = f' data-block="{escape(node.attrs.get("block", ""), True)}"'
                if "review-note" in node.classes and node.attrs.get("comment"):
                    # the Word comment of a placeholder (its candidates), as a tooltip
                    tip = "\n".join(p.strip() for p in node.attrs["comment"].split(" || "))
                    data += f' title="{escape(tip, True)}"'
                out.append(f'<div class="{escape(classes, True)}"{data}>{self.blocks(node.children)}</div>')
        return "\n".join(out)

    def render(self) -> str:
        meta = self.doc.meta
        title = escape(str(meta.get("title") or "Draft"))
        lang = escape(str(meta.get("language") or "en"))
        body = self.blocks(self.doc.children)
        if self.doc.footnotes:
            notes = "".join(f'<li id="fn{n.number}">{self.blocks(n.children)}</li>'
                            for n in self.doc.footnotes)
            body += f'\n<section class="footnotes"><ol>{notes}</ol></section>'
        return (f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
                f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
                f"<title>{title}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n{body}\n"
                "</body>\n</html>\n")


class HtmlWriter:
    format = "html"
    extension = ".html"

    def write(self, doc: Document, ctx: WriteContext) -> bytes:
        return HtmlRenderer(doc).render().encode("utf-8")
