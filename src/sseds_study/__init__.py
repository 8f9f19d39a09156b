"""sseds_study: a reproducible study of single-shot embedding dimension search (SSEDS) for CTR models."""

__version__ = "0.1.0"
