"""The sandbox templates and block bodies render in, hardened beyond Jinja's own.

Jinja's :class:`ImmutableSandboxedEnvironment` refuses unsafe attribute access when a template
runs.  That leaves gaps: an escape attempt in a branch that does not run (``{% set x =
''.__class__ %}``, ``{{ ''.__class__ is defined }}``) passes silently, and ``'x' * 10**10``
exhausts memory.  Here every template is also inspected when it is compiled, so a known
escape construct is refused wherever it stands, with the file and line, before anything runs:

- attribute or item access to names starting with ``_`` (``__class__``, ``__globals__``,
  ``_TemplateReference__context``, ``__subclasses__``...), and attribute access to a short
  list of dangerous attributes (``mro``, ``format``, ``format_map``, frame and code
  attributes; a mapping key of that name is still reachable as ``x["format"]``);
- the ``attr`` filter with anything but a literal, safe name, and attribute-name arguments
  (``map(attribute=...)``, ``selectattr``...) that reach such names;
- names that only exist to escape (``config``, ``request``, ``lipsum``, ``cycler``,
  ``joiner``, ``__builtins__``, ``getattr``...).

At run time ``*`` and ``**`` are bounded, so a template cannot build huge strings or numbers.
"""

from __future__ import annotations

import operator

import jinja2
from jinja2 import nodes
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError

# Attributes refused even without a leading underscore.
UNSAFE_ATTRIBUTES = frozenset({
    "mro", "format", "format_map", "func_globals", "func_code", "func_closure",
    "gi_frame", "gi_code", "gi_yieldfrom", "cr_frame", "cr_code", "cr_await", "ag_frame",
    "ag_code", "ag_await", "f_globals", "f_locals", "f_builtins", "f_back", "f_code",
    "tb_frame", "tb_next", "co_code", "im_class", "im_func", "im_self",
})
# Names that only exist to escape: framework globals payloads look for, Jinja's helpers that
# drafter removes, and Python's reflection builtins.
REFUSED_NAMES = frozenset({
    "config", "request", "url_for", "get_flashed_messages", "lipsum", "cycler", "joiner",
    "builtins", "globals", "locals", "getattr", "setattr", "delattr", "eval", "exec",
    "compile", "vars",
})
# Filters and tests whose string arguments name attributes.
_ATTRIBUTE_FILTERS = frozenset({"attr", "map", "selectattr", "rejectattr", "sort", "groupby",
                                "sum", "unique", "min", "max", "dictsort"})

MAX_SEQUENCE = 1_000_000  # characters or items a '*' may produce
MAX_EXPONENT = 100


class SandboxViolation(jinja2.TemplateSyntaxError):
    """A template construct refused when the template is compiled."""


def unsafe_name(name: str) -> bool:
    """Whether an attribute name, or any part of a dotted attribute path, is refused."""
    return any(part.startswith("_") or part in UNSAFE_ATTRIBUTES
               for part in str(name).split("."))


def _refuse(message: str, node: nodes.Node, name, filename):
    raise SandboxViolation(message, getattr(node, "lineno", None) or 1, name, filename)


def inspect_template(tree: nodes.Template, name=None, filename=None) -> None:
    """Raise :class:`SandboxViolation` at the first refused construct of a parsed template."""
    for node in tree.find_all(nodes.Node):
        if isinstance(node, nodes.Getattr) and unsafe_name(node.attr):
            _refuse(f"access to attribute '{node.attr}' is not allowed", node, name, filename)
        elif isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const) \
                and isinstance(node.arg.value, str) and node.arg.value.startswith("_"):
            _refuse(f"access to item '{node.arg.value}' is not allowed", node, name, filename)
        elif isinstance(node, nodes.Name) and (node.name.startswith("_")
                                               or node.name in REFUSED_NAMES):
            _refuse(f"the name '{node.name}' is not available in templates", node, name,
                    filename)
        elif isinstance(node, (nodes.Filter, nodes.Test)) and node.name in _ATTRIBUTE_FILTERS:
            _inspect_attribute_args(node, name, filename)


def _inspect_attribute_args(node, name, filename) -> None:
    args = list(node.args) + [kw.value for kw in node.kwargs]
    if node.name == "attr":
        if len(args) != 1 or not (isinstance(args[0], nodes.Const)
                                  and isinstance(args[0].value, str)):
            _refuse("the 'attr' filter takes a literal attribute name only", node, name,
                    filename)
    if node.dyn_args is not None or node.dyn_kwargs is not None:
        _refuse(f"the '{node.name}' filter cannot take * or ** arguments here", node, name,
                filename)
    for arg in args:
        if isinstance(arg, nodes.Const) and isinstance(arg.value, str) and unsafe_name(arg.value):
            _refuse(f"access to attribute '{arg.value}' is not allowed", node, name, filename)


def _bounded_mul(left, right):
    for seq, count in ((left, right), (right, left)):
        if isinstance(seq, (str, bytes, list, tuple)) and isinstance(count, int) \
                and not isinstance(count, bool) and len(seq) * count > MAX_SEQUENCE:
            raise SecurityError(f"'*' would build a sequence of {len(seq) * count:,} items "
                                f"(at most {MAX_SEQUENCE:,})")
    return operator.mul(left, right)


def _bounded_pow(left, right):
    if isinstance(right, (int, float)) and abs(right) > MAX_EXPONENT:
        raise SecurityError(f"exponent {right} is too large (at most {MAX_EXPONENT})")
    return operator.pow(left, right)


class HardenedEnvironment(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox, plus compile-time refusal and bounded arithmetic."""

    intercepted_binops = frozenset({"*", "**"})

    def _parse(self, source, name, filename):
        tree = super()._parse(source, name, filename)
        inspect_template(tree, name, filename)
        return tree

    def call_binop(self, context, operator_name, left, right):
        if operator_name == "*":
            return _bounded_mul(left, right)
        if operator_name == "**":
            return _bounded_pow(left, right)
        return super().call_binop(context, operator_name, left, right)
