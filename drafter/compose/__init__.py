"""Stage 2, compose: render a template and its position blocks into one Markdown text.

``environment`` builds the sandboxed, strict Jinja environment and maps Jinja's errors to
file:line; ``templates`` finds templates and reads their metadata; ``functions`` are the
functions templates call (``position``, ``positions``, ``selected``, ...); ``composer`` puts
them together.  Each block is emitted inside a fenced div that carries its id and hash, so
the document model knows where every paragraph came from.
"""

from drafter.compose.composer import Composition, compose

__all__ = ["Composition", "compose"]
