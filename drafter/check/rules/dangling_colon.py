"""A paragraph that ends in ":" with nothing after it that it could introduce (a list, a
table, a quotation): a lead-in left dangling ("Our recommendations:" then a heading)."""

from drafter.check.rule import Rule


def _flat(nodes):
    """Block-level nodes in document order, divs opened (lists, tables, quotes kept whole)."""
    from drafter.model.nodes import Div

    for node in nodes:
        if isinstance(node, Div):
            yield from _flat(node.children)
        else:
            yield node


def check_draft(d, report):
    from drafter.check.drafts import TextUnit
    from drafter.model.nodes import BlockQuote, CodeBlock, ListBlock, Paragraph, Table
    from drafter.model.text import inline_text

    nodes = list(_flat(d.document.children))
    for i, node in enumerate(nodes):
        if not isinstance(node, Paragraph):
            continue
        text = inline_text(node.children).rstrip()
        if not text.endswith(":"):
            continue
        following = nodes[i + 1] if i + 1 < len(nodes) else None
        if isinstance(following, (ListBlock, Table, BlockQuote, CodeBlock)):
            continue
        block = node.source.block if getattr(node, "source", None) is not None else None
        unit = TextUnit(text, block, "paragraph")
        tail = " ".join(text.split()[-4:])
        path, line, col = d.locate(unit, tail)
        report(f"the paragraph ending '{tail}' introduces nothing: the list or text it leads "
               "into is missing", path, line, col)


RULE = Rule("dangling-colon", "warning", "a paragraph ending in ':' with nothing after it",
            check_draft=check_draft)
