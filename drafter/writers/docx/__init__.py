"""DOCX output.

``writer`` walks the document model (and documents the provenance bookmark scheme); ``oxml``
holds the XML helpers and numbering definitions, ``styles`` the style lookup and fallbacks,
``package`` the base document, properties and reproducible saving, ``house`` drafter's
default house style (``python -m drafter.writers.docx.house``), ``page`` headers and footers,
``fields`` page fields and the table of contents, ``footnotes`` Word footnotes, ``caption``
the FCC caption, ``comments`` the ``--annotate`` comments.
"""

from drafter.writers.docx.writer import DocxWriter

__all__ = ["DocxWriter"]
