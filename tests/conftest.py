import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))


def pytest_configure(config):
    """The cache's seal key (sdblint.cache_entries) of the tests' own, never the user's: every
    sdblint the tests run, in process or in a subprocess, finds it in this session's folder."""
    import os
    import tempfile
    os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="sdblint-tests-")
