"""DOCX output: ``oxml`` holds the XML helpers, ``styles`` the style lookup and fallbacks,
``package`` the base document, core properties and reproducible saving, ``writer`` the walk
over the document model."""

from drafter.writers.docx.writer import DocxWriter

__all__ = ["DocxWriter"]
