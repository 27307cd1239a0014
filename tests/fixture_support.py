"""Run sdblint over every fixture group and compare with the inline `# expect:` markers."""
from __future__ import annotations

import re
from pathlib import Path

from sdblint.config.settings import load_settings
from sdblint.pipeline import run

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
EXPECT = re.compile(r"#\s*expect:\s*(SDB\d+(?:\s*,\s*SDB\d+)*)")


def groups() -> list[Path]:
    return sorted(p for p in FIXTURES.iterdir() if p.is_dir())


def expected(group: Path) -> set[tuple[str, int, str]]:
    found = set()
    for file in sorted(group.rglob("*.py")):
        rel = file.relative_to(FIXTURES).as_posix()
        for number, line in enumerate(file.read_text(encoding="utf-8").splitlines(), 1):
            match = EXPECT.search(line)
            if match:
                for code in match.group(1).split(","):
                    found.add((rel, number, code.strip()))
    return found


def actual(group: Path) -> set[tuple[str, int, str]]:
    settings = load_settings(None, group)
    result = run([group], settings)
    prefix = group.relative_to(FIXTURES).as_posix()
    return {(f"{prefix}/{f.path}", f.line, f.code) for f in result.findings}


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
