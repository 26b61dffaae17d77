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

When a template runs, its resources are bounded (:class:`Limits`): every value it builds
(``*``, ``+``, ``~``, ``%``, the string methods and filters that grow text: ``center``,
``indent``, ``format``, ``join``, ``replace``...) holds at most :data:`MAX_STRING` characters,
what it prints at most :data:`MAX_OUTPUT`, its loops run at most :data:`MAX_ITERATIONS` times in
all, it makes at most :data:`MAX_CALLS` calls nested at most :data:`MAX_CALL_DEPTH` deep
(recursive macros), and it runs at most :data:`MAX_SECONDS`.  Going over any of them raises
:class:`LimitExceeded`, which the CLI reports as one line naming the template or block.
"""

from __future__ import annotations

import operator
import re
import time

import jinja2
from jinja2 import filters as jfilters
from jinja2 import nodes
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError
from jinja2.visitor import NodeTransformer

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
MAX_STRING = 1_000_000     # characters (or items) of any one value a template builds
MAX_INT_BITS = 100_000     # size of any one whole number a template builds
MAX_OUTPUT = 20_000_000    # characters printed by {{ }} in one render, blocks included
MAX_ITERATIONS = 1_000_000  # loop iterations in one render
MAX_CALLS = 100_000        # calls (functions, macros, methods) in one render
MAX_CALL_DEPTH = 64        # calls nested inside calls (recursive macros)
MAX_SECONDS = 10.0         # wall-clock time of one render
MAX_SLOW_INPUT = 100_000   # characters given to the slow text filters (wordwrap, urlize...)

_LOOP_FILTER = "drafter_loop_guard"
_SIZE_FILTER = "drafter_size_guard"
# printf-style widths and precisions: "%999999999d", "%.999999999f"
_PRINTF_WIDTH = re.compile(r"%[-#0 +]*(\d*)(?:\.(\d*))?")


class SandboxViolation(jinja2.TemplateSyntaxError):
    """A template construct refused when the template is compiled."""


class LimitExceeded(SecurityError):
    """A render went over one of the sandbox's resource limits."""


class Limits:
    """What one render has used so far: iterations, calls, call depth, output, time."""

    def __init__(self):
        self.reset()

    def reset(self) -> None:
        self.started = time.monotonic()
        self.iterations = 0
        self.calls = 0
        self.depth = 0
        self.output = 0

    def tick(self) -> None:
        if time.monotonic() - self.started > MAX_SECONDS:
            raise LimitExceeded(f"the template ran longer than {MAX_SECONDS:g} seconds")

    def iterate(self) -> None:
        self.iterations += 1
        if self.iterations > MAX_ITERATIONS:
            raise LimitExceeded(f"loops ran more than {MAX_ITERATIONS:,} times in all")
        if not self.iterations & 1023:
            self.tick()

    def printed(self, count: int) -> None:
        self.output += count
        if self.output > MAX_OUTPUT:
            raise LimitExceeded(f"the template printed more than {MAX_OUTPUT:,} characters")


def check_size(value, what: str = "a value"):
    """``value`` itself, or :class:`LimitExceeded` when it is too big to build on."""
    if isinstance(value, (str, bytes, list, tuple, dict)) and len(value) > MAX_STRING:
        raise LimitExceeded(f"{what} would hold {len(value):,} characters or items "
                            f"(at most {MAX_STRING:,})")
    if isinstance(value, int) and not isinstance(value, bool) \
            and value.bit_length() > MAX_INT_BITS:
        raise LimitExceeded(f"{what} would be a number of {value.bit_length():,} bits "
                            f"(at most {MAX_INT_BITS:,})")
    return value


def _want(size: int, what: str) -> None:
    if size > MAX_STRING:
        raise LimitExceeded(f"{what} would build {size:,} characters (at most {MAX_STRING:,})")


def _int(value, default: int = 0) -> int:
    try:
        return int(value)
    except (TypeError, ValueError, OverflowError):
        return default


def _printf_size(fmt) -> int:
    """An upper bound on the padding a printf-style format string asks for."""
    total = 0
    for width, precision in _PRINTF_WIDTH.findall(str(fmt)):
        total += _int(width or 0) + _int(precision or 0)
    return total


def _replace_size(text: str, old, new, count=-1) -> int:
    old, new = str(old), str(new)
    if len(new) <= len(old):
        return len(text)
    hits = text.count(old) if old else len(text) + 1
    if count is not None and _int(count, -1) >= 0:
        hits = min(hits, _int(count))
    return len(text) + hits * (len(new) - len(old))


def _precheck_method(obj, args, kwargs) -> None:
    """Refuse string methods whose result would be too big, before they build it."""
    self = getattr(obj, "__self__", None)
    name = getattr(obj, "__name__", "")
    if not isinstance(self, str):
        return
    what = f"'{name}'"
    if name in ("center", "ljust", "rjust", "zfill") and args:
        _want(_int(args[0]), what)
    elif name == "expandtabs":
        tab = _int(args[0] if args else kwargs.get("tabsize", 8), 8)
        _want(len(self) + self.count("\t") * max(tab, 0), what)
    elif name == "replace" and len(args) >= 2:
        _want(_replace_size(self, args[0], args[1], args[2] if len(args) > 2 else -1), what)
    elif name == "join" and args:
        items = list(args[0]) if not isinstance(args[0], str) else args[0]
        _want(sum(len(str(i)) for i in items) + len(self) * max(len(items) - 1, 0), what)


def _bounded_filters() -> dict:
    """Jinja's filters that grow text, checked before they build it."""

    def center(value, width=80):
        _want(max(_int(width), len(str(value))), "the 'center' filter")
        return jfilters.do_center(value, width)

    def indent(s, width=4, first=False, blank=False):
        lines = str(s).count("\n") + 1
        pad = len(width) if isinstance(width, str) else _int(width)
        _want(len(str(s)) + lines * max(pad, 0), "the 'indent' filter")
        return jfilters.do_indent(s, width, first, blank)

    def format_(value, *args, **kwargs):
        size = _printf_size(value) + len(str(value)) + sum(len(str(a)) for a in args) \
            + sum(len(str(v)) for v in kwargs.values())
        _want(size, "the 'format' filter")
        return check_size(jfilters.do_format(value, *args, **kwargs), "the 'format' filter")

    @jinja2.pass_eval_context
    def join(eval_ctx, value, d="", attribute=None):
        items = list(value)
        size = len(str(d)) * max(len(items) - 1, 0)
        if attribute is None:
            size += sum(len(str(i)) for i in items)
        _want(size, "the 'join' filter")
        return check_size(jfilters.do_join(eval_ctx, items, d, attribute), "the 'join' filter")

    @jinja2.pass_eval_context
    def replace(eval_ctx, s, old, new, count=None):
        _want(_replace_size(str(s), old, new, -1 if count is None else count),
              "the 'replace' filter")
        return jfilters.do_replace(eval_ctx, s, old, new, count)

    def slow(name, original):
        """A filter whose time grows faster than its input: the input is bounded."""
        def wrapped(*args, **kwargs):
            text = args[1] if len(args) > 1 and not isinstance(args[0], str) else args[0]
            if isinstance(text, str) and len(text) > MAX_SLOW_INPUT:
                raise LimitExceeded(f"the '{name}' filter takes at most {MAX_SLOW_INPUT:,} "
                                    f"characters ({len(text):,} given)")
            return check_size(original(*args, **kwargs), f"the '{name}' filter")
        wrapped.jinja_pass_arg = getattr(original, "jinja_pass_arg", None)
        return wrapped

    return {"center": center, "indent": indent, "format": format_, "join": join,
            "replace": replace,
            **{name: slow(name, jfilters.FILTERS[name])
               for name in ("wordwrap", "urlize", "striptags", "truncate", "wordcount",
                            "title", "xmlattr")}}


class _GuardLoops(NodeTransformer):
    """Route every loop's iterable and every ``~`` through the run-time guards."""

    def visit_For(self, node, *args, **kwargs):
        node = self.generic_visit(node, *args, **kwargs)
        node.iter = nodes.Filter(node.iter, _LOOP_FILTER, [], [], None, None,
                                 lineno=node.iter.lineno)
        return node

    def visit_Concat(self, node, *args, **kwargs):
        node = self.generic_visit(node, *args, **kwargs)
        return nodes.Filter(node, _SIZE_FILTER, [], [], None, None, lineno=node.lineno)


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
    if isinstance(left, int) and isinstance(right, int) \
            and left.bit_length() + right.bit_length() > MAX_INT_BITS:
        raise LimitExceeded(f"'*' would build a number of about "
                            f"{left.bit_length() + right.bit_length():,} bits "
                            f"(at most {MAX_INT_BITS:,})")
    return operator.mul(left, right)


def _bounded_pow(left, right):
    if isinstance(right, (int, float)) and abs(right) > MAX_EXPONENT:
        raise SecurityError(f"exponent {right} is too large (at most {MAX_EXPONENT})")
    if isinstance(left, int) and isinstance(right, int) \
            and left.bit_length() * max(right, 0) > MAX_INT_BITS:
        raise LimitExceeded(f"'**' would build a number of about "
                            f"{left.bit_length() * right:,} bits (at most {MAX_INT_BITS:,})")
    return operator.pow(left, right)


def _bounded_mod(left, right):
    if isinstance(left, str):
        _want(len(left) + _printf_size(left) + sum(len(str(a)) for a in (
            right if isinstance(right, tuple) else (right,))), "'%'")
    return check_size(operator.mod(left, right), "'%'")


class HardenedEnvironment(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox, plus compile-time refusal and bounded resources."""

    intercepted_binops = frozenset({"*", "**", "+", "%"})

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("finalize", self._finalize)
        super().__init__(*args, **kwargs)
        self.limits = Limits()
        self.filters.update(_bounded_filters())
        self.filters[_LOOP_FILTER] = self._guard_loop
        self.filters[_SIZE_FILTER] = lambda value: check_size(value, "'~'")

    def start_render(self) -> None:
        """Start counting a new render against the limits."""
        self.limits.reset()

    def _parse(self, source, name, filename):
        tree = super()._parse(source, name, filename)
        inspect_template(tree, name, filename)
        return _GuardLoops().visit(tree)

    def _finalize(self, value):
        if isinstance(value, str):
            check_size(value, "a printed value")
            self.limits.printed(len(value))
        return value

    def _guard_loop(self, iterable):
        limits = self.limits
        if isinstance(iterable, jinja2.Undefined):
            return iterable
        def guarded():
            for item in iterable:
                limits.iterate()
                yield item
        return guarded()

    def call(__self, __context, __obj, *args, **kwargs):  # noqa: N805 - Jinja's signature
        limits = __self.limits
        limits.calls += 1
        if limits.calls > MAX_CALLS:
            raise LimitExceeded(f"the template made more than {MAX_CALLS:,} calls")
        if limits.depth >= MAX_CALL_DEPTH:
            raise LimitExceeded(f"calls nested more than {MAX_CALL_DEPTH} deep "
                                "(a recursive macro?)")
        if not limits.calls & 255:
            limits.tick()
        _precheck_method(__obj, args, kwargs)
        limits.depth += 1
        try:
            return check_size(super().call(__context, __obj, *args, **kwargs), "a call")
        finally:
            limits.depth -= 1

    def call_binop(self, context, operator_name, left, right):
        if operator_name == "*":
            return _bounded_mul(left, right)
        if operator_name == "**":
            return _bounded_pow(left, right)
        if operator_name == "%":
            return _bounded_mod(left, right)
        if operator_name == "+":
            return check_size(operator.add(left, right), "'+'")
        return super().call_binop(context, operator_name, left, right)
