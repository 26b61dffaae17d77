"""The lint rules, one per module, in the order they run.

Each module defines ``RULE`` (a :class:`drafter.check.rule.Rule`).  To add a rule, write a
module beside these and add its name here.
"""

import importlib

NAMES = (
    # files and schemas
    "schema", "duplicate_id", "unknown_topic", "unknown_seed", "unknown_position",
    "unknown_template", "unknown_role", "template_metadata",
    # templates and block bodies
    "jinja_syntax", "sandbox", "undefined", "render_error",
    # the library
    "stale", "edited_since_approval", "retired_in_use", "unapproved_in_use",
    # drafts
    "stance_conflict", "placeholder", "deadline", "length_limit", "glossary",
    "should_overuse", "broad_term",
    # the pre-filing gate: what a person must still review, and text from elsewhere
    "unreviewed_answer", "outside_fit", "as_filed_elsewhere", "repeated_answer", "doubled_word",
    "dangling_colon", "python_literal", "bound_phrase",
)

RULES = tuple(importlib.import_module(f"{__name__}.{name}").RULE for name in NAMES)
BY_CODE = {rule.code: rule for rule in RULES}
