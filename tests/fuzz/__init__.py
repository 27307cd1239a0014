"""Fuzzing support for sdblint: source mutators, hypothesis strategies, the oracle that decides
whether a run went wrong, a reducer, and the long-campaign runner (``campaign.py``).

``tests/test_fuzz.py`` is the small, deterministic CI slice of the same machinery.
"""
