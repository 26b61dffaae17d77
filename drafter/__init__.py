"""drafter: compose regulatory-comment filings from reviewed position blocks."""

__version__ = "0.1.0"
