#!/usr/bin/env python3
"""sdblint's own timing rows on the pinned bench corpus, by the method of ``../shared/bench/run``
(whole-process wall seconds and peak RSS from /usr/bin/time, the median of N runs), for the rows
that script does not take: runs after touching or editing one file, and cold runs over a quarter, a half
and the whole corpus (scaling).

Usage (from the repository root, after ``../shared/bench/run`` has downloaded the corpus)::

    python3 tests/bench/run.py [--runs 3] [--corpus /tmp/sdb-bench/corpus] [--sdblint sdblint]

- The corpus is copied to a temporary folder first, so touching a file never changes the
  shared corpus; every row runs on that copy with its own cache folder.
- cold: the cache folder is removed before each run. warm: a run first fills the cache, then
  the timed run changes nothing. touched: before each timed run, a comment line is appended to one
  file (a different file each time, from the middle of the sorted file list): its content
  changes, its facts do not, so the run cache's early cutoff applies. edited: the same, but a
  blank line is inserted at the top, so every location in the file moves, its facts change and
  the project is analysed again (from the cached facts of every other file).
- quarter / half / whole: cold runs over the first quarter, the first half and all of the
  corpus's .py files in sorted order (copied with their folders, so packages stay packages).
"""
from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import tempfile
from pathlib import Path


def timed(cmd: list[str]) -> tuple[float, float]:
    """One whole-process run: (wall seconds, peak RSS MiB)."""
    with tempfile.NamedTemporaryFile() as t:
        subprocess.run(["/usr/bin/time", "-f", "%e %M", "-o", t.name, *cmd],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        wall, rss = Path(t.name).read_text().split()[-2:]
    return float(wall), int(rss) / 1024


def check(sdblint: str, target: Path, cache: Path) -> list[str]:
    return [sdblint, "check", "--output-format", "json", "--exit-zero", "--cache-dir", str(cache), str(target)]


def subset(files: list[Path], root: Path, share: float, into: Path) -> Path:
    """The first ``share`` of ``files`` (sorted), copied under ``into`` with their folders."""
    for f in files[: max(1, int(len(files) * share))]:
        dest = into / f.relative_to(root)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(f, dest)
    return into


def median_row(runs: int, before, cmd: list[str]) -> tuple[float, float]:
    walls, rsss = [], []
    for i in range(runs):
        before(i)
        wall, rss = timed(cmd)
        walls.append(wall)
        rsss.append(rss)
    return statistics.median(walls), statistics.median(rsss)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--corpus", type=Path, default=Path("/tmp/sdb-bench/corpus"))
    ap.add_argument("--sdblint", default="sdblint")
    a = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="sdb-own-bench-"))
    try:
        corpus = work / "corpus"
        shutil.copytree(a.corpus, corpus, ignore=shutil.ignore_patterns(".sdblint_cache", "__pycache__"))
        files = sorted(corpus.rglob("*.py"))
        cache = work / "cache"
        clear = lambda _i: shutil.rmtree(cache, ignore_errors=True)
        rows: dict[str, tuple[float, float]] = {}
        rows["cold"] = median_row(a.runs, clear, check(a.sdblint, corpus, cache))
        subprocess.run(check(a.sdblint, corpus, cache), stdout=subprocess.DEVNULL, check=False)
        rows["warm, no change"] = median_row(a.runs, lambda _i: None, check(a.sdblint, corpus, cache))

        def edit(offset: int, change):
            def before(i: int) -> None:
                subprocess.run(check(a.sdblint, corpus, cache), stdout=subprocess.DEVNULL, check=False)   # warm first
                target = files[len(files) // 2 + offset + i]
                target.write_text(change(target.read_text(encoding="utf-8", errors="replace")), encoding="utf-8")
            return before

        rows["warm, one file touched"] = median_row(a.runs, edit(0, lambda text: text + "\n# touched\n"),
                                                    check(a.sdblint, corpus, cache))
        rows["warm, one file edited"] = median_row(a.runs, edit(a.runs, lambda text: "\n" + text),
                                                   check(a.sdblint, corpus, cache))
        whole = sorted(corpus.rglob("*.py"))
        for name, share in (("cold, quarter of the files", 0.25), ("cold, half of the files", 0.5)):
            part = subset(whole, corpus, share, work / name.split()[1])
            rows[name] = median_row(a.runs, clear, check(a.sdblint, part, cache))
        rows["cold, whole corpus"] = rows["cold"]
        print(f"corpus: {len(files)} .py files (a copy of {a.corpus}); median of {a.runs} runs each")
        cold = rows["cold"][0]
        print(f"{'row':30} {'wall s':>8} {'peak MiB':>9} {'vs cold':>8}")
        for name, (wall, rss) in rows.items():
            print(f"{name:30} {wall:8.2f} {rss:9.0f} {wall / cold:7.2f}x")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
