"""The registry of checks. A check is one rule or rule family (see :class:`.base.Check`):
adding a rule is a new module here, its entry below, its documentation in
``rules/rules.toml`` and its fixtures; nothing else changes."""
from __future__ import annotations

from .base import Analysis, Check
from .docs import RuleDoc, load_rules
from .sdb1_unverified_action import UnverifiedAction
from .sdb900_unused_suppression import UNUSED_SUPPRESSION, placeholder_waivers, unused_suppressions

# Reported by the pipeline itself when a unit of the analysis fails (never by a check).
INTERNAL_ERROR = "SDB999"

REGISTRY: tuple[Check, ...] = (
    UnverifiedAction(),
)


def rule_codes() -> tuple[str, ...]:
    """Every code a run can report: the registered checks', the unused-suppression and the
    internal-error code."""
    return tuple(sorted({code for check in REGISTRY for code in check.codes} | {UNUSED_SUPPRESSION, INTERNAL_ERROR}))


__all__ = ["INTERNAL_ERROR", "REGISTRY", "UNUSED_SUPPRESSION", "Analysis", "Check", "RuleDoc", "load_rules",
           "placeholder_waivers", "rule_codes", "unused_suppressions"]
