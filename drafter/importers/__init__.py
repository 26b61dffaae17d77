"""Starting a consultation file from what the agency published.

- :func:`from_federal_register`: a Federal Register API document (JSON);
- :func:`from_regulations_gov`: a regulations.gov v4 document record (JSON);
- :func:`read_questions`: a pasted list of numbered questions (text);
- :func:`consultation_yaml`: the file's text, validated like any consultation file.

Every reader raises a one-line ``LoadError`` naming the file (and line) when the input is not
what it should be.
"""

from drafter.importers.emit import consultation_yaml, validate_text
from drafter.importers.federal_register import from_federal_register
from drafter.importers.model import Imported
from drafter.importers.questions import ParsedQuestion, parse_questions, read_questions
from drafter.importers.regulations_gov import from_regulations_gov

__all__ = ["Imported", "ParsedQuestion", "consultation_yaml", "from_federal_register",
           "from_regulations_gov", "parse_questions", "read_questions", "validate_text"]
