"""``drafter schema``: JSON Schema from the pydantic models, valid and in agreement with what
drafter accepts (every shipped file validates; broken files do not)."""

from __future__ import annotations

import datetime as dt
import json

import jsonschema
import pytest
import yaml

from drafter.load.frontmatter import split
from tests.conftest import ROOT, run_cli

KINDS = ("batch", "consultation", "glossary", "org", "position", "settings", "topics")


def schema_of(kind: str) -> dict:
    result = run_cli("schema", kind)
    assert result.code == 0, result.err
    return json.loads(result.out)


def as_json(value):
    """YAML values as the YAML language server sees them (dates are text)."""
    if isinstance(value, dict):
        return {str(k): as_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_json(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def validator(kind: str):
    schema = schema_of(kind)
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


def errors(kind: str, data) -> list[str]:
    return [e.message for e in validator(kind).iter_errors(as_json(data))]


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_is_a_valid_schema(kind):
    schema = schema_of(kind)
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["title"].startswith("drafter ")
    assert schema["additionalProperties"] is False


def test_shipped_consultations_validate():
    checked = 0
    for path in sorted((ROOT / "examples").glob("*.yaml")):
        data = yaml.safe_load(path.read_text())
        assert errors("consultation", data) == [], path
        checked += 1
    assert checked >= 2


def test_shipped_batch_files_validate():
    paths = sorted((ROOT / "examples").rglob("batch/*.yaml"))
    for path in paths:
        assert errors("batch", yaml.safe_load(path.read_text())) == [], path


def test_every_block_front_matter_validates():
    paths = sorted((ROOT / "positions").rglob("*.md"))
    blocks = [p for p in paths if "." not in p.name[:-3]]
    assert len(blocks) >= 30
    for path in paths:
        front = yaml.safe_load(split(path.read_text(), path)[0])
        kind = "position" if path in blocks else "variant"
        assert errors(kind, front) == [], path


@pytest.mark.parametrize("kind,name", [("glossary", "glossary.yaml"), ("settings", "drafter.yaml"),
                                       ("topics", "positions/topics.yaml"), ("org", "org.yaml")])
def test_workspace_files_validate(kind, name):
    assert errors(kind, yaml.safe_load((ROOT / name).read_text())) == []


def test_mistakes_are_flagged_like_drafter_flags_them():
    data = yaml.safe_load((ROOT / "examples" / "ntia-botnets-comments.yaml").read_text())
    assert errors("consultation", {**data, "kind": "rfx"})
    assert errors("consultation", {**data, "dedline": "2018-01-01"})
    assert errors("consultation", {k: v for k, v in data.items() if k != "agency"})
    # drafter turns YAML numbers into text for question ids and dockets: so does the schema
    fine = {**data, "docket": 170602536, "questions": [{"id": 1, "text": "Why?"}]}
    assert errors("consultation", fine) == []


def test_schema_to_a_file(tmp_path):
    out = tmp_path / "schemas" / "consultation.json"
    result = run_cli("schema", "consultation", "-o", out)
    assert result.code == 0 and f"wrote {out}" in result.err
    assert json.loads(out.read_text()) == schema_of("consultation")


def test_unknown_kind_is_a_usage_error():
    result = run_cli("schema", "consultations")
    assert result.code == 2 and "Invalid value" in result.err
