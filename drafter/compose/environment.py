"""The sandboxed Jinja environment and the mapping of Jinja errors to file and line."""

from __future__ import annotations

import os
from pathlib import Path
from types import TracebackType

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError

from drafter.compose.sandbox import HardenedEnvironment, SandboxViolation
from drafter.errors import DrafterError, TemplateError

TEMPLATE_SUFFIX = ".jinja"
BLOCK_PREFIX = "position:"

# Globals Jinja adds by default that no filing needs and that are known escape helpers.
_UNSAFE_GLOBALS = ("lipsum", "cycler", "joiner")


class WorkspaceLoader(jinja2.BaseLoader):
    """Templates by name from the template folders, and position bodies as ``position:ID``
    (as-filed) or ``position:ID@VARIANT``.

    Names are looked up in the folders only: no absolute path and no ``..`` can reach a file
    outside them.
    """

    def __init__(self, folders: list[Path], library=None):
        self.folders = [Path(f) for f in folders]
        self.library = library
        self.line_offsets: dict[str, int] = {}

    def get_source(self, environment, template):
        if template.startswith(BLOCK_PREFIX):
            if self.library is None:
                raise jinja2.TemplateNotFound(template)
            block_id, _, variant = template[len(BLOCK_PREFIX):].partition("@")
            wording = self.library.get(block_id).wording(variant or None)
            filename = str(wording.path)
            self.line_offsets[filename] = wording.body_line - 1
            return wording.body, filename, lambda: True
        candidates = [template] if template.endswith(TEMPLATE_SUFFIX) else [
            template + TEMPLATE_SUFFIX, template]
        if ".." in Path(template).parts or os.path.isabs(template):
            raise jinja2.TemplateNotFound(template)
        for folder in self.folders:
            for name in candidates:
                path = folder / name
                if path.is_file():
                    return path.read_text(encoding="utf-8"), str(path), lambda: True
        raise jinja2.TemplateNotFound(template)

    def list_templates(self):
        names = set()
        for folder in self.folders:
            if folder.is_dir():
                names.update(p.name for p in folder.glob("*" + TEMPLATE_SUFFIX))
        return sorted(names)


def make_environment(loader: WorkspaceLoader) -> ImmutableSandboxedEnvironment:
    env = HardenedEnvironment(
        loader=loader,
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
    )
    for name in _UNSAFE_GLOBALS:
        env.globals.pop(name, None)
    return env


def _template_frame(tb: TracebackType | None, offsets: dict[str, int]):
    """The innermost traceback frame that belongs to a template or block file."""
    found = None
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith(TEMPLATE_SUFFIX) or filename in offsets:
            found = (filename, tb.tb_lineno + offsets.get(filename, 0))
        tb = tb.tb_next
    return found


def to_drafter_error(exc: BaseException, loader: WorkspaceLoader) -> DrafterError:
    """Turn anything raised while compiling or rendering into a DrafterError at file:line."""
    offsets = loader.line_offsets
    if isinstance(exc, SandboxViolation):
        filename = exc.filename or exc.name
        line = (exc.lineno or 0) + offsets.get(str(filename), 0) if exc.lineno else None
        return TemplateError(f"refused by the sandbox: {exc.message}", filename, line,
                             code="sandbox")
    if isinstance(exc, jinja2.TemplateSyntaxError):
        filename = exc.filename or exc.name
        line = (exc.lineno or 0) + offsets.get(str(filename), 0) if exc.lineno else None
        return TemplateError(f"template syntax error: {exc.message}", filename, line,
                             code="jinja-syntax")
    frame = _template_frame(exc.__traceback__, offsets)
    path, line = frame if frame else (None, None)
    if isinstance(exc, DrafterError):
        if exc.path is None:
            exc.path, exc.line = path, line
        return exc
    if isinstance(exc, jinja2.TemplateNotFound):
        return TemplateError(f"template '{exc.name}' not found", path, line,
                             code="unknown-template")
    if isinstance(exc, jinja2.UndefinedError):
        return TemplateError(f"undefined name: {exc.message}", path, line, code="undefined")
    if isinstance(exc, SecurityError):
        return TemplateError(f"refused by the sandbox: {exc}", path, line, code="sandbox")
    if isinstance(exc, (TypeError, ValueError, AttributeError, KeyError, IndexError,
                        ZeroDivisionError, OverflowError, RecursionError)):
        return TemplateError(f"template failed: {type(exc).__name__}: {exc}", path, line,
                             code="template-runtime")
    raise exc
