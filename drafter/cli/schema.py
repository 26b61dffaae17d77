"""``drafter schema``: JSON Schema for the files reviewers edit, from the pydantic models.

Point the YAML language server at it (VS Code's ``yaml.schemas`` setting, or a
``# yaml-language-server: $schema=...`` line at the top of a file) to get completion and
validation while typing.
"""

from __future__ import annotations

import importlib
import json
from pathlib import Path

import click

# kind -> (module, model, title)
KINDS = {
    "consultation": ("drafter.load.models", "Consultation", "drafter consultation file"),
    "position": ("drafter.load.models", "PositionMeta", "drafter position block front matter"),
    "variant": ("drafter.load.models", "VariantMeta",
                "drafter position variant front matter (<id>.<variant>.md)"),
    "batch": ("drafter.batch.models", "BatchFile", "drafter batch file"),
    "glossary": ("drafter.load.models", "Glossary", "drafter glossary (glossary.yaml)"),
    "settings": ("drafter.load.models", "WorkspaceSettings", "drafter settings (drafter.yaml)"),
    "topics": ("drafter.load.models", "TopicVocabulary",
               "drafter topic vocabulary (positions/topics.yaml)"),
    "org": ("drafter.load.models", "OrgFacts", "drafter organisation facts (org.yaml)"),
}


# Fields whose validators turn YAML numbers into text ("id: 1", "docket: 170602536"): the
# schema accepts numbers there too, so editors do not flag what drafter accepts.
NUMBER_AS_TEXT = {
    "consultation": [("$defs", "Question", "properties", "id"), ("properties", "docket"),
                     ("properties", "rin"), ("properties", "citation")],
    "position": [("$defs", "SourceRef", "properties", "item")],
    "org": [("properties", "member_count")],
}


def _accept_numbers(schema: dict, path: tuple) -> None:
    node = schema
    for key in path:
        node = node.get(key) if isinstance(node, dict) else None
        if node is None:
            return
    if node.get("type") == "string":
        node["type"] = ["string", "number"]
    elif "anyOf" in node and {"type": "number"} not in node["anyOf"]:
        node["anyOf"].insert(1, {"type": "number"})


# Lists that may also be written as their one item ("matrix: {...}").
ONE_OR_MANY = {"batch": [("properties", "matrix")]}


def _one_or_many(schema: dict, path: tuple) -> None:
    parent = schema
    for key in path[:-1]:
        parent = parent.get(key, {})
    node = parent.get(path[-1])
    if isinstance(node, dict) and node.get("type") == "array" and "items" in node:
        array = {k: v for k, v in node.items() if k not in ("title", "description", "default")}
        parent[path[-1]] = {k: v for k, v in node.items() if k in ("title", "description")}
        parent[path[-1]]["anyOf"] = [array, node["items"]]


def json_schema(kind: str) -> dict:
    from drafter.errors import DrafterError

    module_name, model_name, title = KINDS[kind]
    try:
        model = getattr(importlib.import_module(module_name), model_name)
    except (ImportError, AttributeError):
        raise DrafterError(f"the {kind} schema is not available in this installation "
                           f"({module_name}.{model_name} is missing)") from None
    schema = model.model_json_schema()
    for path in NUMBER_AS_TEXT.get(kind, ()):
        _accept_numbers(schema, path)
    for path in ONE_OR_MANY.get(kind, ()):
        _one_or_many(schema, path)
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema,
            "title": title}


@click.command()
@click.argument("kind", type=click.Choice(sorted(KINDS)))
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False),
              help="Write the schema to this file (default: print it).")
def schema(kind, output):
    """Print the JSON Schema of a file KIND: consultation, position, variant, batch, glossary,
    settings, topics or org."""
    text = json.dumps(json_schema(kind), indent=2, ensure_ascii=False) + "\n"
    if output is None:
        click.echo(text, nl=False)
        return
    from drafter.output import atomic_write
    atomic_write(output, text.encode("utf-8"))
    click.echo(f"wrote {output}", err=True)
