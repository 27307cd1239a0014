"""Findings: the reported record, its verifier status, its explanation and its fingerprint."""
from .model import Finding, SourceRef, Step

__all__ = ["Finding", "SourceRef", "Step"]
