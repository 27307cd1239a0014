"""sdblint: find where LLM output becomes a system action without a verifier."""

__version__ = "0.1.0"
