"""Run sdblint over every fixture group and compare with the inline `# expect:` markers."""
from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from sdblint.config.settings import Settings, load_settings
from sdblint.pipeline import run

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
# `# expect: SDB102` or, with the verifier status the finding must have, `# expect: SDB104 parse-only`;
# several findings on one line are separated by commas.
EXPECT = re.compile(r"#\s*expect:\s*(SDB\d+(?:\s+[a-z-]+)?(?:\s*,\s*SDB\d+(?:\s+[a-z-]+)?)*)")


def markers(group: Path) -> dict[tuple[str, int, str], str | None]:
    """(path, line, code) -> the expected verifier status, or None where the marker names none."""
    found = {}
    for file in sorted(group.rglob("*.py")):
        rel = file.relative_to(FIXTURES).as_posix()
        for number, line in enumerate(file.read_text(encoding="utf-8").splitlines(), 1):
            match = EXPECT.search(line)
            if match:
                for item in match.group(1).split(","):
                    code, _, status = item.strip().partition(" ")
                    found[(rel, number, code)] = status.strip() or None
    return found


def group_settings(group: Path) -> Settings:
    """A fixture group is a project of its own: its root is the group (or its config's folder), not
    the git work tree of this repository that the fixtures happen to live in."""
    settings = load_settings(None, group)
    return settings if settings.source != "defaults" else replace(settings, root=group)


def groups() -> list[Path]:
    return sorted(p for p in FIXTURES.iterdir() if p.is_dir())


def expected(group: Path) -> set[tuple[str, int, str]]:
    return set(markers(group))


def reported(group: Path) -> dict[tuple[str, int, str], str]:
    """(path, line, code) -> verifier status of every finding in the group."""
    settings = group_settings(group)
    result = run([group], settings)
    return {((settings.root / f.path).relative_to(FIXTURES).as_posix(), f.line, f.code): f.verifier_status
            for f in result.findings}


def actual(group: Path) -> set[tuple[str, int, str]]:
    return set(reported(group))


if __name__ == "__main__":
    import sys

    total_tp = total_fp = total_fn = 0
    for group in groups():
        if len(sys.argv) > 1 and group.name not in sys.argv[1:]:
            continue
        exp, act = expected(group), actual(group)
        tp, fp, fn = exp & act, act - exp, exp - act
        total_tp += len(tp); total_fp += len(fp); total_fn += len(fn)
        for item in sorted(fp):
            print("FP", *item)
        for item in sorted(fn):
            print("FN", *item)
    print(f"tp={total_tp} fp={total_fp} fn={total_fn}")
