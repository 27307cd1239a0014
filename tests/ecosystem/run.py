#!/usr/bin/env python3
"""Ecosystem check: run sdblint over released agent-framework packages from PyPI.

Like ruff's ecosystem check, this lints many real code bases (pinned in
``projects.txt`` beside this script) with one sdblint build, keeps the raw JSON
reports, and compares two such runs so that a change to sdblint shows what it
does to findings, parse errors, crashes and run time on code it has never seen.
It is a standalone script (standard library only), not part of the pytest suite.

Usage::

    python3 tests/ecosystem/run.py fetch [--dir DIR]
        pip-download every pin (``--no-deps``; a wheel where there is one, else the
        sdist) into DIR/downloads/<name>-<version>/ and unpack each archive once
        into DIR/src/<name>-<version>/ (a finished unpack is marked by the file
        ``.sdb-eco-unpacked`` in it; an unfinished one is redone).

    python3 tests/ecosystem/run.py check --sdblint PATH --out OUTDIR [--dir DIR] [--jobs N]
        run ``PATH check --output-format json --exit-zero <name>-<version>`` in
        DIR/src for every unpacked pin (600 s timeout each), save the report to
        OUTDIR/<name>-<version>.json, stderr to OUTDIR/<name>-<version>.stderr,
        and exit code, wall seconds and a crash flag to OUTDIR/summary.json.
        A crash is an exit code other than 0/1, a signal, a timeout,
        "internal error" on stderr, or stdout that is not a JSON document.

    python3 tests/ecosystem/run.py compare OLD_OUTDIR NEW_OUTDIR
        per project, the (path, line, code) findings added and removed, and the
        findings whose full JSON (key order ignored) changed; crash and
        parse-error changes too. Exits 1 if anything differs.

DIR defaults to /tmp/sdb-eco. A typical round::

    python3 tests/ecosystem/run.py fetch
    python3 tests/ecosystem/run.py check --sdblint /tmp/venv-base/bin/sdblint --out /tmp/sdb-eco/base
    python3 tests/ecosystem/run.py check --sdblint .venv/bin/sdblint --out /tmp/sdb-eco/new
    python3 tests/ecosystem/run.py compare /tmp/sdb-eco/base /tmp/sdb-eco/new

The downloaded and unpacked third-party code, and the reports, live outside the
repository and are never committed: only this script and projects.txt are.
Nothing downloaded is installed, imported or run (sdblint only reads source).
"""
from __future__ import annotations

import argparse
import concurrent.futures
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tarfile
import time
import zipfile
from pathlib import Path, PurePosixPath

HERE = Path(__file__).resolve().parent
DEFAULT_PROJECTS = HERE / "projects.txt"
DEFAULT_DIR = Path("/tmp/sdb-eco")
MARKER = ".sdb-eco-unpacked"
TIMEOUT = 600
MAX_ARCHIVE_BYTES = 60 * 1024 * 1024
ARCHIVE_SUFFIXES = (".whl", ".tar.gz", ".tgz", ".tar.bz2", ".tar.xz", ".zip", ".tar")
PIN_RE = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([A-Za-z0-9][A-Za-z0-9._+!-]*)$")


# --------------------------------------------------------------------------- pins

def read_pins(path: Path) -> list[tuple[str, str]]:
    pins: list[tuple[str, str]] = []
    seen: set[str] = set()
    for lineno, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        m = PIN_RE.match(line)
        if not m:
            sys.exit(f"{path}:{lineno}: expected name==version, got {line!r}")
        name, version = m.groups()
        key = project_key(name, version)
        if key in seen:
            sys.exit(f"{path}:{lineno}: duplicate pin {line!r}")
        seen.add(key)
        pins.append((name, version))
    return pins


def project_key(name: str, version: str) -> str:
    return f"{name}-{version}"


# --------------------------------------------------------------------------- fetch

def find_archive(folder: Path) -> Path | None:
    if not folder.is_dir():
        return None
    archives = sorted(p for p in folder.iterdir() if p.is_file() and p.name.endswith(ARCHIVE_SUFFIXES))
    wheels = [p for p in archives if p.name.endswith(".whl")]
    return (wheels or archives or [None])[0]


def pip_download(pin: str, dest: Path) -> tuple[Path | None, str]:
    """Download one pin, a wheel if there is one, else its sdist. Returns (archive, log)."""
    log = []
    for kind, flags in (("wheel", ["--only-binary=:all:"]), ("sdist", ["--no-binary=:all:"])):
        cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--disable-pip-version-check",
               "--quiet", *flags, "--dest", str(dest), pin]
        proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        log.append(f"$ {' '.join(cmd)}\n{proc.stdout}")
        archive = find_archive(dest)
        if proc.returncode == 0 and archive is not None:
            return archive, "".join(log)
    return None, "".join(log)


def safe_member(name: str) -> PurePosixPath | None:
    p = PurePosixPath(name.replace("\\", "/"))
    if p.is_absolute() or ".." in p.parts or not p.parts:
        return None
    return p


def strip_common_root(names: list[PurePosixPath]) -> int:
    """1 if every member lies under one top-level folder (an sdist's name-version/), else 0."""
    tops = {n.parts[0] for n in names}
    return 1 if len(tops) == 1 and all(len(n.parts) > 1 for n in names) else 0


def unpack(archive: Path, target: Path, strip_sdist_root: bool) -> int:
    """Unpack regular files only (no links, devices, or paths leaving target). Returns file count."""
    if archive.name.endswith((".whl", ".zip")):
        with zipfile.ZipFile(archive) as zf:
            members = [(i.filename, i) for i in zf.infolist() if not i.is_dir()]
            return _write_members(members, zf.open, target, strip_sdist_root)
    with tarfile.open(archive) as tf:
        members = [(m.name, m) for m in tf.getmembers() if m.isfile()]
        return _write_members(members, tf.extractfile, target, strip_sdist_root)


def _write_members(members, open_member, target: Path, strip_sdist_root: bool) -> int:
    """Write each (name, member) that stays inside ``target``, reading it with ``open_member``."""
    safe = [(m, p) for m, p in ((m, safe_member(name)) for name, m in members) if p is not None]
    strip = strip_common_root([p for _, p in safe]) if strip_sdist_root else 0
    count = 0
    for member, rel in safe:
        parts = rel.parts[strip:]
        src = open_member(member) if parts else None
        if src is None:
            continue
        out = target.joinpath(*parts)
        out.parent.mkdir(parents=True, exist_ok=True)
        with src, open(out, "wb") as dst:
            shutil.copyfileobj(src, dst)
        count += 1
    return count


def cmd_fetch(args: argparse.Namespace) -> int:
    root: Path = args.dir
    downloads, src = root / "downloads", root / "src"
    downloads.mkdir(parents=True, exist_ok=True)
    src.mkdir(parents=True, exist_ok=True)
    failures = 0
    for name, version in read_pins(args.projects):
        key = project_key(name, version)
        target = src / key
        if (target / MARKER).is_file():
            print(f"{key:40} unpacked already")
            continue
        dl = downloads / key
        archive = find_archive(dl)
        if archive is None:
            dl.mkdir(parents=True, exist_ok=True)
            archive, log = pip_download(f"{name}=={version}", dl)
            if archive is None:
                failures += 1
                print(f"{key:40} DOWNLOAD FAILED\n{log.strip()[-1500:]}")
                continue
        size = archive.stat().st_size
        if size > MAX_ARCHIVE_BYTES:
            failures += 1
            print(f"{key:40} SKIPPED: {archive.name} is {size / 2**20:.1f} MB (limit {MAX_ARCHIVE_BYTES // 2**20} MB)")
            continue
        partial = src / (key + ".partial")
        for stale in (partial, target):
            if stale.exists():
                shutil.rmtree(stale)
        try:
            n = unpack(archive, partial, strip_sdist_root=not archive.name.endswith(".whl"))
        except (OSError, zipfile.BadZipFile, tarfile.TarError) as exc:
            failures += 1
            print(f"{key:40} UNPACK FAILED: {archive.name}: {exc}")
            shutil.rmtree(partial, ignore_errors=True)
            continue
        partial.rename(target)
        (target / MARKER).write_text(archive.name + "\n", encoding="utf-8")
        py = sum(1 for _ in target.rglob("*.py"))
        print(f"{key:40} {archive.name} ({size / 2**20:.1f} MB, {n} files, {py} .py)")
    if failures:
        print(f"{failures} pin(s) not fetched", file=sys.stderr)
    return 1 if failures else 0


# --------------------------------------------------------------------------- check

def run_one(sdblint: str, src: Path, key: str, out: Path) -> dict:
    cmd = [sdblint, "check", "--output-format", "json", "--exit-zero", key]
    start = time.monotonic()
    proc = subprocess.Popen(cmd, cwd=src, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            stdin=subprocess.DEVNULL, start_new_session=True)
    timed_out = False
    try:
        stdout, stderr = proc.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        timed_out = True
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        stdout, stderr = proc.communicate()
    seconds = time.monotonic() - start
    (out / f"{key}.json").write_bytes(stdout)
    (out / f"{key}.stderr").write_bytes(stderr)
    rc = proc.returncode
    err_text = stderr.decode("utf-8", "replace")
    reasons = []
    if timed_out:
        reasons.append(f"timeout after {TIMEOUT}s")
    elif rc < 0:
        try:
            reasons.append(f"signal {signal.Signals(-rc).name}")
        except ValueError:
            reasons.append(f"signal {-rc}")
    elif rc not in (0, 1):
        reasons.append(f"exit {rc}")
    if "internal error" in err_text:
        reasons.append("internal error")
    files = findings = parse_errors = None
    version = None
    try:
        doc = json.loads(stdout.decode("utf-8"))
        if not isinstance(doc, dict) or not isinstance(doc.get("findings"), list):
            raise ValueError("not an sdblint report")
        findings = len(doc["findings"])
        parse_errors = len(doc.get("errors") or [])
        files = (doc.get("summary") or {}).get("files")
        version = doc.get("version")
    except (UnicodeDecodeError, ValueError):
        reasons.append("no JSON report" if not stdout.strip() else "bad JSON")
    message = next((line.strip() for line in reversed(err_text.splitlines())
                    if "error" in line.lower()), "") or next(
        (line.strip() for line in reversed(err_text.splitlines()) if line.strip()), "")
    return {
        "project": key, "command": cmd, "exit_code": rc, "timed_out": timed_out,
        "seconds": round(seconds, 2), "crash": bool(reasons), "crash_reasons": reasons,
        "stderr_message": message[:500], "files": files, "findings": findings,
        "parse_errors": parse_errors, "sdblint_version": version,
    }


def fmt(v) -> str:
    return "-" if v is None else str(v)


def print_table(results: list[dict]) -> None:
    rows = [("project", "files", "findings", "parse errs", "exit", "seconds", "status")]
    for r in results:
        status = "ok" if not r["crash"] else "CRASH " + ", ".join(r["crash_reasons"])
        rows.append((r["project"], fmt(r["files"]), fmt(r["findings"]), fmt(r["parse_errors"]),
                     fmt(r["exit_code"]), f"{r['seconds']:.1f}", status))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for n, row in enumerate(rows):
        cells = [c.ljust(w) if i in (0, 6) else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths))]
        print("  ".join(cells).rstrip())
        if n == 0:
            print("  ".join("-" * w for w in widths))


def cmd_check(args: argparse.Namespace) -> int:
    sdblint = shutil.which(str(args.sdblint)) or str(args.sdblint)
    if not os.access(sdblint, os.X_OK):
        sys.exit(f"not an executable: {args.sdblint}")
    sdblint = str(Path(sdblint).absolute())
    src = args.dir / "src"
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    keys, missing = [], []
    for name, version in read_pins(args.projects):
        key = project_key(name, version)
        (keys if (src / key / MARKER).is_file() else missing).append(key)
    if missing:
        print(f"not fetched (run `fetch` first), skipped: {', '.join(missing)}", file=sys.stderr)
    if not keys:
        sys.exit("nothing to check")
    version = subprocess.run([sdblint, "--version"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             text=True).stdout.strip()
    print(f"{version} ({sdblint}) over {len(keys)} projects, {args.jobs} job(s)", flush=True)
    start = time.monotonic()
    results: dict[str, dict] = {}
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        futures = {pool.submit(run_one, sdblint, src, key, out): key for key in keys}
        for fut in concurrent.futures.as_completed(futures):
            r = fut.result()
            results[r["project"]] = r
            state = "ok" if not r["crash"] else "CRASH " + ", ".join(r["crash_reasons"])
            print(f"  [{len(results)}/{len(keys)}] {r['project']}: {state} ({r['seconds']:.1f}s)", flush=True)
    total = time.monotonic() - start
    ordered = [results[k] for k in keys]
    summary = {
        "sdblint": sdblint, "sdblint_version": version, "dir": str(args.dir.absolute()),
        "jobs": args.jobs, "timeout": TIMEOUT, "total_seconds": round(total, 2),
        "not_fetched": missing, "projects": {r["project"]: r for r in ordered},
    }
    (out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    print()
    print_table(ordered)
    crashes = [r for r in ordered if r["crash"]]
    print(f"\n{len(ordered)} projects, {sum(r['findings'] or 0 for r in ordered)} findings, "
          f"{len(crashes)} crash(es), {total:.1f}s wall")
    for r in crashes:
        print(f"  {r['project']}: {r['stderr_message'] or '(empty stderr)'}")
    print(f"reports in {out}")
    return 0


# --------------------------------------------------------------------------- compare

def load_report(outdir: Path, key: str) -> tuple[list[dict], list[dict], bool]:
    """(findings, errors, parsed) for one project's report; an unparseable one has none."""
    try:
        doc = json.loads((outdir / f"{key}.json").read_text(encoding="utf-8"))
        return list(doc["findings"]), list(doc.get("errors") or []), True
    except (OSError, ValueError, KeyError, TypeError):
        return [], [], False


def canon(d) -> str:
    return json.dumps(d, sort_keys=True, ensure_ascii=False)


def by_key(findings: list[dict]) -> dict[tuple, list[str]]:
    groups: dict[tuple, list[str]] = {}
    for f in findings:
        groups.setdefault((f.get("path"), f.get("line"), f.get("code")), []).append(canon(f))
    return {k: sorted(v) for k, v in groups.items()}


def describe(key: tuple, f: str | None = None) -> str:
    path, line, code = key
    text = f"{path}:{line} {code}"
    if f is not None:
        msg = json.loads(f).get("message", "")
        text += f" {msg[:140]}"
    return text


def changed_fields(old: list[str], new: list[str]) -> str:
    if len(old) != len(new):
        return f"{len(old)} -> {len(new)} findings at this location"
    fields: set[str] = set()
    for a, b in zip(old, new):
        da, db = json.loads(a), json.loads(b)
        fields |= {k for k in set(da) | set(db) if canon(da.get(k)) != canon(db.get(k))}
    return "fields differ: " + ", ".join(sorted(fields))


def cmd_compare(args: argparse.Namespace) -> int:
    def summary(d: Path) -> dict:
        try:
            return json.loads((d / "summary.json").read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            sys.exit(f"{d}: no readable summary.json ({exc})")

    old_s, new_s = summary(args.old), summary(args.new)
    old_p, new_p = old_s.get("projects", {}), new_s.get("projects", {})
    keys = list(old_p) + [k for k in new_p if k not in old_p]
    print(f"old: {old_s.get('sdblint_version')} ({args.old}), {old_s.get('total_seconds')}s")
    print(f"new: {new_s.get('sdblint_version')} ({args.new}), {new_s.get('total_seconds')}s\n")
    totals = {"added": 0, "removed": 0, "changed": 0}
    differing = 0
    limit = args.show
    for key in keys:
        if key not in old_p or key not in new_p:
            differing += 1
            print(f"{key}: only in {'new' if key not in old_p else 'old'} run")
            continue
        notes = []
        o, n = old_p[key], new_p[key]
        if o.get("crash") != n.get("crash"):
            notes.append("crash fixed" if o.get("crash") else
                         f"NEW CRASH ({', '.join(n.get('crash_reasons') or [])}: {n.get('stderr_message')})")
        elif n.get("crash"):
            notes.append(f"still crashes ({', '.join(n.get('crash_reasons') or [])})")
        old_f, old_e, _ = load_report(args.old, key)
        new_f, new_e, _ = load_report(args.new, key)
        ok, nk = by_key(old_f), by_key(new_f)
        added = [k for k in nk if k not in ok]
        removed = [k for k in ok if k not in nk]
        changed = [k for k in nk if k in ok and nk[k] != ok[k]]
        oe, ne = {canon(e) for e in old_e}, {canon(e) for e in new_e}
        if oe != ne:
            notes.append(f"parse errors {len(oe)} -> {len(ne)} (+{len(ne - oe)} -{len(oe - ne)})")
        n_added = sum(len(nk[k]) for k in added)
        n_removed = sum(len(ok[k]) for k in removed)
        totals["added"] += n_added
        totals["removed"] += n_removed
        totals["changed"] += len(changed)
        crash_changed = o.get("crash") != n.get("crash")
        if not (added or removed or changed or oe != ne or crash_changed):
            line = f"{key}: same ({len(new_f)} findings)"
            if notes:
                line += "; " + "; ".join(notes)
            print(line)
            continue
        differing += 1
        print(f"{key}: +{n_added} added, -{n_removed} removed, ~{len(changed)} changed"
              f" ({len(old_f)} -> {len(new_f)} findings)" + ("; " + "; ".join(notes) if notes else ""))
        shown = 0
        for k in added:
            if shown >= limit:
                break
            print(f"    + {describe(k, nk[k][0])}")
            shown += 1
        for k in removed:
            if shown >= limit:
                break
            print(f"    - {describe(k, ok[k][0])}")
            shown += 1
        for k in changed:
            if shown >= limit:
                break
            print(f"    ~ {describe(k)}: {changed_fields(ok[k], nk[k])}")
            shown += 1
        for e in sorted(ne - oe)[: max(0, limit - shown)]:
            print(f"    + parse error {json.loads(e).get('path')}: {json.loads(e).get('message', '')[:120]}")
        more = len(added) + len(removed) + len(changed) - shown
        if more > 0:
            print(f"    ... and {more} more locations")
    print(f"\ntotal: {differing} of {len(keys)} projects differ; +{totals['added']} added, "
          f"-{totals['removed']} removed, ~{totals['changed']} changed locations")
    return 1 if differing else 0


# --------------------------------------------------------------------------- main

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("--dir", type=Path, default=DEFAULT_DIR, help=f"work folder (default {DEFAULT_DIR})")
        p.add_argument("--projects", type=Path, default=DEFAULT_PROJECTS, help="pin list (default: projects.txt here)")

    p = sub.add_parser("fetch", help="download and unpack the pinned releases")
    common(p)
    p = sub.add_parser("check", help="run one sdblint over every unpacked project")
    common(p)
    p.add_argument("--sdblint", required=True, help="path to the sdblint executable to run")
    p.add_argument("--out", type=Path, required=True, help="folder for the reports and summary.json")
    p.add_argument("--jobs", type=int, default=1, help="projects checked at once (default 1)")
    p = sub.add_parser("compare", help="compare two check output folders")
    p.add_argument("old", type=Path)
    p.add_argument("new", type=Path)
    p.add_argument("--show", type=int, default=5, help="differences shown per project (default 5)")
    args = parser.parse_args(argv)
    return {"fetch": cmd_fetch, "check": cmd_check, "compare": cmd_compare}[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
