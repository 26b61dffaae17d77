"""Batch generation: many filings from one batch file, in parallel, incrementally and safely.

``models`` holds the batch file's schema, ``plan`` expands it into jobs, ``inputs`` hashes
what each job depends on, ``manifest`` reads and writes ``manifest.json`` and the state kept
between runs, and ``runner`` decides what to build, builds it in worker processes and never
overwrites an output a reviewer has edited.
"""
