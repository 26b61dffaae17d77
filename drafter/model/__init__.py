"""Stage 3, the document model: a small tree of our own, parsed from Markdown by markdown-it.

``nodes`` defines the tree (blocks and inlines, each block with its source line and, when it
came from a position block, the block's id and hash); ``parse`` builds it from markdown-it's
token stream; ``text`` gives plain text and outline numbers for writers and tests.
"""

from drafter.model.nodes import *  # noqa: F401,F403
from drafter.model.parse import parse_markdown  # noqa: F401
