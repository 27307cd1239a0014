#!/usr/bin/env python3
"""Ecosystem check: run sdblint over released agent-framework packages from PyPI.

Like ruff's ecosystem check, this lints many real code bases (pinned in
``projects.txt`` beside this script) with one sdblint build, keeps the raw JSON
reports, and compares two such runs so that a change to sdblint shows what it
does to findings, parse errors, crashes and run time on code it has never seen.
It is a standalone script (standard library only), not part of the pytest suite.

A pin is ``name==version`` (a PyPI release) or ``github:owner/name@<40-hex commit>`` (an agent
application that is not on PyPI, taken from a local git mirror like a [[repository]] below).
Besides the pins, it covers every release named in ``advisories.toml`` (a published CVE/GHSA
whose sink is model output reaching exec/SQL/a subprocess/a path, with the vulnerable release
and, if any, the fixed one) and its ``[[repository]]`` commits, and reports which advisory
sinks sdblint catches; ``snapshot.json`` beside this script keeps the stable fields of every
finding so that a change to the engine shows its effect on real code as a diff.

Usage::

    python3 tests/ecosystem/run.py fetch [--dir DIR] [--mirror-dir MIRRORS]
        pip-download every pin and every advisory's vulnerable and fixed release (each release
        once; ``--no-deps``; a wheel where there is one, else the sdist) into
        DIR/downloads/<name>-<version>/ and unpack each archive once into
        DIR/src/<name>-<version>/ (a finished unpack is marked by the file ``.sdb-eco-unpacked``
        in it; an unfinished one is redone). A ``github:`` pin or a [[repository]] (owner/name at a
        commit) is taken from a local bare git mirror -- its ``mirror`` key, else
        MIRRORS/<owner>+<name>/repo (default $SDB_ECO_MIRROR_DIR, else /work/.mirror if it exists)
        -- with ``git archive <commit>`` of its Python and configuration files
        (ARCHIVE_SUFFIXES_FROM_GIT) into DIR/src/<owner>+<name>-<sha7>/; GitHub itself is never
        contacted, and a missing mirror is reported and skipped. ``--only PATTERN`` (repeatable, a
        glob on the key: ``vllm-*``, ``openai+swarm-*``) fetches just those.

    python3 tests/ecosystem/run.py check --sdblint PATH --out OUTDIR [--dir DIR] [--jobs N]
        run ``PATH check --output-format json --exit-zero <key>`` in DIR/src for everything
        fetched (600 s timeout each), save the report to OUTDIR/<key>.json, stderr to
        OUTDIR/<key>.stderr, and exit code, wall seconds, findings per code, internal errors
        (SDB999 findings plus report errors of kind crash/timeout; without a ``kind`` field the
        kind is read from the message, see ``error_kind``) and a crash flag to
        OUTDIR/summary.json. A crash is an exit code other than 0/1, a signal, a timeout,
        "internal error" on stderr, or stdout that is not a JSON document. Prints one row per
        release, then the ``advisories`` report and the ``diff-snapshot`` output. Exits 0.
        ``--only PATTERN`` checks just the matching keys; the advisory report then judges only the
        advisories whose vulnerable release was checked (a fixed release outside the selection
        shows as "no report"), and the snapshot diff covers only the checked releases.

    python3 tests/ecosystem/run.py advisories OUTDIR
        for each advisory, find ``sink_text`` (first occurrence) in ``sink_file`` of the unpacked
        vulnerable release: "caught" if a finding's location or one of its flow steps is at that
        file and line (paths compared by suffix, so an sdist's prefix does not matter), else
        "missed". In the fixed release, ``fixed_sink_text`` in ``fixed_sink_file``: "clean" or
        "still reported", or "removed" when the code is gone; with ``fix_adequate = false``
        "still reported" is the expected result. Repositories are judged like vulnerable
        releases. Prints a table and totals, writes OUTDIR/advisories.json, exits 0.

    python3 tests/ecosystem/run.py snapshot OUTDIR [--snapshot FILE]
        write snapshot.json: per release, its sorted findings reduced to
        [path, line, code, sink callee, verifier status] (one per line; SDB999 findings are only
        counted) and its internal-error and parse-error counts.

    python3 tests/ecosystem/run.py diff-snapshot OUTDIR [--snapshot FILE]
        per release, the findings added and removed in OUTDIR against snapshot.json.
        Exits 1 if anything differs.

    python3 tests/ecosystem/run.py sample OUTDIR --seed N [--count 40] [--exclude-snapshot FILE]
        draw findings at random (fixed by the seed) from the reports in OUTDIR, only from releases
        FILE does not hold (e.g. ``git show <rev>:tests/ecosystem/snapshot.json``, the set before
        projects were added), and print each with its flow, to be read by hand.

    python3 tests/ecosystem/run.py compare OLD_OUTDIR NEW_OUTDIR
        per project, the (path, line, code) findings added and removed, and the
        findings whose full JSON (key order ignored) changed; crash and
        parse-error changes too. Exits 1 if anything differs.

DIR defaults to /tmp/sdb-eco. A typical round::

    python3 tests/ecosystem/run.py fetch
    python3 tests/ecosystem/run.py check --sdblint /tmp/venv-base/bin/sdblint --out /tmp/sdb-eco/base
    python3 tests/ecosystem/run.py check --sdblint .venv/bin/sdblint --out /tmp/sdb-eco/new
    python3 tests/ecosystem/run.py compare /tmp/sdb-eco/base /tmp/sdb-eco/new
    python3 tests/ecosystem/run.py snapshot /tmp/sdb-eco/new     # after a deliberate change

The downloaded and unpacked third-party code, and the reports, live outside the
repository and are never committed: only this script, projects.txt, advisories.toml and
snapshot.json are.
Nothing downloaded is installed, imported or run (sdblint only reads source).
"""
from __future__ import annotations

import argparse
import concurrent.futures
import fnmatch
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
DEFAULT_ADVISORIES = HERE / "advisories.toml"
DEFAULT_SNAPSHOT = HERE / "snapshot.json"
DEFAULT_DIR = Path("/tmp/sdb-eco")
DEFAULT_MIRROR_DIR = Path("/work/.mirror")
MARKER = ".sdb-eco-unpacked"
TIMEOUT = 600
MAX_ARCHIVE_BYTES = 60 * 1024 * 1024
ARCHIVE_SUFFIXES = (".whl", ".tar.gz", ".tgz", ".tar.bz2", ".tar.xz", ".zip", ".tar")
# What ``git archive`` takes from a mirror: Python sources and the configuration files sdblint
# reads. A mirror may lack large blobs (images, data sets), and naming them would fail the archive.
ARCHIVE_SUFFIXES_FROM_GIT = (".py", ".pyi", ".toml", ".cfg", ".ini")
PIN_RE = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([A-Za-z0-9][A-Za-z0-9._+!-]*)$")
# A GitHub repository at a full commit: ``github:owner/name@<40 hex digits>``.
REPO_PIN_RE = re.compile(r"^github:([A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+)@([0-9a-fA-F]{40})$")


# --------------------------------------------------------------------------- pins

def read_pins(path: Path) -> tuple[list[tuple[str, str]], list[dict]]:
    """The ``name==version`` pins and the ``github:owner/name@commit`` repositories of projects.txt,
    each in file order (a repository is returned as {"name", "commit"}, like a [[repository]])."""
    pins: list[tuple[str, str]] = []
    repos: list[dict] = []
    seen: set[str] = set()
    for lineno, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        m, r = PIN_RE.match(line), REPO_PIN_RE.match(line)
        if m:
            key = project_key(*m.groups())
        elif r:
            key = repo_key({"name": r.group(1), "commit": r.group(2)})
        else:
            sys.exit(f"{path}:{lineno}: expected name==version or github:owner/name@<40-hex commit>, "
                     f"got {line!r}")
        if key in seen:
            sys.exit(f"{path}:{lineno}: duplicate pin {line!r}")
        seen.add(key)
        if m:
            pins.append(m.groups())
        else:
            repos.append({"name": r.group(1), "commit": r.group(2).lower()})
    return pins, repos


def project_key(name: str, version: str) -> str:
    return f"{name}-{version}"


def canonical_name(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def read_advisories(path: Path) -> tuple[list[dict], list[dict]]:
    """The [[advisory]] and [[repository]] tables of advisories.toml (both empty if there is no file)."""
    if not path.is_file():
        return [], []
    try:
        import tomllib
    except ImportError:  # Python < 3.11
        sys.exit(f"{path}: reading it needs Python 3.11+ (tomllib)")
    with open(path, "rb") as fh:
        doc = tomllib.load(fh)
    advisories, repositories = list(doc.get("advisory") or []), list(doc.get("repository") or [])
    for n, a in enumerate(advisories, 1):
        missing = [k for k in ("id", "package", "vulnerable", "sink_file", "sink_text") if not a.get(k)]
        if missing:
            sys.exit(f"{path}: advisory #{n} ({a.get('id', '?')}) lacks {', '.join(missing)}")
        for k in ("vulnerable", "fixed"):
            if a.get(k) and not PIN_RE.match(f"{a['package']}=={a[k]}"):
                sys.exit(f"{path}: advisory {a['id']}: bad {k} version {a[k]!r}")
    for n, r in enumerate(repositories, 1):
        missing = [k for k in ("name", "commit", "sink_file", "sink_text") if not r.get(k)]
        if missing or not re.fullmatch(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+", r.get("name", "")) \
                or not re.fullmatch(r"[0-9a-fA-F]{7,40}", r.get("commit", "")):
            sys.exit(f"{path}: repository #{n} needs name = 'owner/name', a hex commit, sink_file, sink_text")
    return advisories, repositories


def repo_key(repo: dict) -> str:
    return f"{repo['name'].replace('/', '+')}-{repo['commit'][:7]}"


def all_targets(args: argparse.Namespace) -> list[dict]:
    """Everything to fetch and check, in order: the pins, then each advisory's vulnerable and fixed
    release (a release already pinned, or named by an earlier advisory, is listed once), then the
    [[repository]] commits. Each is {"key", "type": "pypi"|"git", ...}."""
    targets: list[dict] = []
    seen: dict[tuple[str, str], str] = {}

    def add_release(name: str, version: str, origin: str) -> str:
        ident = (canonical_name(name), version)
        if ident not in seen:
            seen[ident] = project_key(name, version)
            targets.append({"key": seen[ident], "type": "pypi", "name": name, "version": version,
                            "origin": origin})
        return seen[ident]

    pins, pinned_repos = read_pins(args.projects)
    for name, version in pins:
        add_release(name, version, "projects.txt")
    advisories, repositories = read_advisories(args.advisories)
    for a in advisories:
        add_release(a["package"], a["vulnerable"], "advisory")
        if a.get("fixed"):
            add_release(a["package"], a["fixed"], "advisory")
    for r, origin in [(r, "projects.txt") for r in pinned_repos] + [(r, "repository") for r in repositories]:
        key = repo_key(r)
        if all(t["key"] != key for t in targets):
            targets.append({"key": key, "type": "git", "repository": r, "origin": origin})
    return targets


def selected(targets: list[dict], patterns: list[str] | None) -> list[dict]:
    """The targets whose key matches one of the ``--only`` glob patterns (all of them without any);
    exits when a pattern matches nothing, so that a typo is not a silently empty run."""
    if not patterns:
        return targets
    unmatched = [p for p in patterns if not any(fnmatch.fnmatchcase(t["key"], p) for t in targets)]
    if unmatched:
        sys.exit(f"--only matches no project: {', '.join(unmatched)}")
    return [t for t in targets if any(fnmatch.fnmatchcase(t["key"], p) for p in patterns)]


def release_key(targets: list[dict], name: str, version: str) -> str:
    ident = (canonical_name(name), version)
    for t in targets:
        if t["type"] == "pypi" and (canonical_name(t["name"]), t["version"]) == ident:
            return t["key"]
    return project_key(name, version)


# --------------------------------------------------------------------------- fetch

def find_archive(folder: Path) -> Path | None:
    if not folder.is_dir():
        return None
    archives = sorted(p for p in folder.iterdir() if p.is_file() and p.name.endswith(ARCHIVE_SUFFIXES))
    wheels = [p for p in archives if p.name.endswith(".whl")]
    return (wheels or archives or [None])[0]


def pip_download(pin: str, dest: Path) -> tuple[Path | None, str]:
    """Download one pin, a wheel if there is one, else its sdist. Returns (archive, log).

    ``--ignore-requires-python``: the archive is only read, never installed, so a release that
    needs a newer Python than the one running this script is fetched all the same. The sdist
    fallback names only the pinned project in ``--no-binary``: with ``:all:`` pip would build every
    build dependency of the sdist's metadata step from source too."""
    log = []
    name = pin.split("==", 1)[0]
    for kind, flags in (("wheel", ["--only-binary=:all:"]), ("sdist", [f"--no-binary={name}"])):
        cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--disable-pip-version-check",
               "--quiet", "--ignore-requires-python", *flags, "--dest", str(dest), pin]
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


def fetch_release(root: Path, name: str, version: str) -> tuple[bool, str]:
    """Download (unless already there) and unpack one PyPI release. Returns (ok, status line)."""
    downloads, src = root / "downloads", root / "src"
    key = project_key(name, version)
    target = src / key
    if (target / MARKER).is_file():
        return True, "unpacked already"
    dl = downloads / key
    archive = find_archive(dl)
    if archive is None:
        dl.mkdir(parents=True, exist_ok=True)
        archive, log = pip_download(f"{name}=={version}", dl)
        if archive is None:
            return False, f"DOWNLOAD FAILED\n{log.strip()[-1500:]}"
    return unpack_into(src, key, archive, strip_sdist_root=not archive.name.endswith(".whl"))


def unpack_into(src: Path, key: str, archive: Path, strip_sdist_root: bool) -> tuple[bool, str]:
    """Unpack ``archive`` into src/key via src/key.partial, then mark it finished."""
    target = src / key
    size = archive.stat().st_size
    if size > MAX_ARCHIVE_BYTES:
        return False, (f"SKIPPED: {archive.name} is {size / 2**20:.1f} MB "
                       f"(limit {MAX_ARCHIVE_BYTES // 2**20} MB)")
    partial = src / (key + ".partial")
    for stale in (partial, target):
        if stale.exists():
            shutil.rmtree(stale)
    try:
        n = unpack(archive, partial, strip_sdist_root=strip_sdist_root)
    except (OSError, zipfile.BadZipFile, tarfile.TarError) as exc:
        shutil.rmtree(partial, ignore_errors=True)
        return False, f"UNPACK FAILED: {archive.name}: {exc}"
    partial.rename(target)
    (target / MARKER).write_text(archive.name + "\n", encoding="utf-8")
    py = sum(1 for _ in target.rglob("*.py"))
    return True, f"{archive.name} ({size / 2**20:.1f} MB, {n} files, {py} .py)"


def find_mirror(repo: dict, mirror_dir: Path | None) -> Path | None:
    """The bare git dir for a [[repository]]: its ``mirror`` key, else MIRROR_DIR/<owner>+<name>[/repo]."""
    candidates = []
    if repo.get("mirror"):
        candidates.append(Path(repo["mirror"]).expanduser())
    if mirror_dir is not None:
        base = mirror_dir / repo["name"].replace("/", "+")
        candidates += [base / "repo", base]
    for c in candidates:
        if c.is_dir() and subprocess.run(["git", "-C", str(c), "rev-parse", "--git-dir"],
                                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False).returncode == 0:
            return c
    return None


def fetch_repository(root: Path, repo: dict, mirror_dir: Path | None) -> tuple[bool | None, str]:
    """``git archive`` one pinned commit from a local mirror into DIR/src/<owner>+<name>-<short sha>/.

    Returns (ok, status); ok is None when the mirror is missing (skipped, not a failure of the run)."""
    key = repo_key(repo)
    if (root / "src" / key / MARKER).is_file():
        return True, "unpacked already"
    mirror = find_mirror(repo, mirror_dir)
    if mirror is None:
        where = f"{mirror_dir}/{repo['name'].replace('/', '+')}/repo" if mirror_dir else "(no --mirror-dir)"
        return None, (f"SKIPPED: no git mirror of github:{repo['name']} at {where}; fetch it first "
                      f"(a bare clone containing commit {repo['commit']}), or give its path as "
                      f"`mirror = ...` in advisories.toml or --mirror-dir")
    dl = root / "downloads" / key
    dl.mkdir(parents=True, exist_ok=True)
    archive = dl / f"{key}.tar"
    if not archive.is_file():
        partial = dl / f"{key}.tar.partial"
        with open(partial, "wb") as out:
            listing = subprocess.run(["git", "-C", str(mirror), "ls-tree", "-r", "-z", "--name-only",
                                      repo["commit"]], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     check=False)
            paths = [p for p in listing.stdout.decode("utf-8", "replace").split("\0")
                     if p.endswith(ARCHIVE_SUFFIXES_FROM_GIT)]
            proc = listing if listing.returncode != 0 else subprocess.run(
                ["git", "-C", str(mirror), "archive", "--format=tar", repo["commit"], "--", *paths],
                stdout=out, stderr=subprocess.PIPE, check=False)
        if proc.returncode != 0:
            partial.unlink(missing_ok=True)
            return False, (f"GIT ARCHIVE FAILED in {mirror}: "
                           f"{proc.stderr.decode('utf-8', 'replace').strip()[-500:]}")
        partial.rename(archive)
    # Unpacked with the same safe tar reader as the releases (regular files only, no escaping paths).
    return unpack_into(root / "src", key, archive, strip_sdist_root=False)


def cmd_fetch(args: argparse.Namespace) -> int:
    root: Path = args.dir
    (root / "downloads").mkdir(parents=True, exist_ok=True)
    (root / "src").mkdir(parents=True, exist_ok=True)
    failures = skipped = 0
    for t in selected(all_targets(args), args.only):
        if t["type"] == "git":
            ok, status = fetch_repository(root, t["repository"], args.mirror_dir)
        else:
            ok, status = fetch_release(root, t["name"], t["version"])
        print(f"{t['key']:40} {status}", flush=True)
        if ok is None:
            skipped += 1
        elif not ok:
            failures += 1
    if skipped:
        print(f"{skipped} repository(ies) skipped (no mirror)", file=sys.stderr)
    if failures:
        print(f"{failures} release(s) not fetched", file=sys.stderr)
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
    files = findings = parse_errors = internal_errors = None
    by_code: dict[str, int] = {}
    version = None
    try:
        doc = json.loads(stdout.decode("utf-8"))
        if not isinstance(doc, dict) or not isinstance(doc.get("findings"), list):
            raise ValueError("not an sdblint report")
        findings = len(doc["findings"])
        for f in doc["findings"]:
            code = str(f.get("code")) if isinstance(f, dict) else "?"
            by_code[code] = by_code.get(code, 0) + 1
        by_code = dict(sorted(by_code.items()))
        internal_errors = count_internal_errors(doc)
        parse_errors = len(doc.get("errors") or []) - internal_error_entries(doc)
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
        "by_code": by_code, "internal_errors": internal_errors,
        "parse_errors": parse_errors, "sdblint_version": version,
    }


INTERNAL_CODE = "SDB999"
INTERNAL_ERROR_KINDS = ("crash", "timeout")


def error_kind(e: dict) -> str:
    """An entry of the report's "errors": its ``kind`` if the report gives one, else inferred from the
    message sdblint writes -- "internal error ..." or "... the parser crashed ..." is a crash,
    "... per-file budget ..." a timeout, anything else a parse error."""
    if e.get("kind"):
        return str(e["kind"])
    msg = str(e.get("message", ""))
    if msg.startswith("internal error") or "parser crashed" in msg:
        return "crash"
    if "per-file budget" in msg or "--file-timeout" in msg:
        return "timeout"
    return "parse"


def internal_error_entries(doc: dict) -> int:
    """Entries of the report's "errors" list that are internal (kind crash/timeout), not parse errors."""
    return sum(1 for e in doc.get("errors") or []
               if isinstance(e, dict) and error_kind(e) in INTERNAL_ERROR_KINDS)


def count_internal_errors(doc: dict) -> int:
    """SDB999 findings plus errors of kind crash/timeout (if the report's errors carry a kind)."""
    sdb999 = sum(1 for f in doc.get("findings") or [] if isinstance(f, dict) and f.get("code") == INTERNAL_CODE)
    return sdb999 + internal_error_entries(doc)


def fmt(v) -> str:
    return "-" if v is None else str(v)


def codes_cell(by_code: dict | None) -> str:
    if by_code is None:
        return "-"
    return " ".join(f"{c}:{n}" for c, n in sorted(by_code.items())) or "none"


def print_table(results: list[dict]) -> None:
    """One row per release: files, seconds, findings per code, internal errors, parse errors, status."""
    head = ("release", "files", "seconds", "findings", "internal", "parse errs", "status", "by code")
    rows = [head]
    for r in results:
        status = "ok" if not r["crash"] else "CRASH " + ", ".join(r["crash_reasons"])
        rows.append((r["project"], fmt(r["files"]), f"{r['seconds']:.1f}", fmt(r["findings"]),
                     fmt(r.get("internal_errors")), fmt(r["parse_errors"]), status,
                     codes_cell(r.get("by_code") if r["findings"] is not None else None)))
    left = {0, 6, 7}
    widths = [max(len(row[i]) for row in rows) for i in range(len(head))]
    for n, row in enumerate(rows):
        cells = [c.ljust(w) if i in left else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths))]
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
    targets = all_targets(args)
    keys, missing = [], []
    for t in selected(targets, args.only):
        (keys if (src / t["key"] / MARKER).is_file() else missing).append(t["key"])
    if missing:
        print(f"not fetched (run `fetch` first), skipped: {', '.join(missing)}", file=sys.stderr)
    if not keys:
        sys.exit("nothing to check")
    version = subprocess.run([sdblint, "--version"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             text=True).stdout.strip()
    print(f"{version} ({sdblint}) over {len(keys)} releases, {args.jobs} job(s)", flush=True)
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
    origin = {t["key"]: t["origin"] for t in targets}
    for r in ordered:
        r["origin"] = origin.get(r["project"])
    summary = {
        "sdblint": sdblint, "sdblint_version": version, "dir": str(args.dir.absolute()),
        "jobs": args.jobs, "timeout": TIMEOUT, "total_seconds": round(total, 2),
        "not_fetched": missing, "projects": {r["project"]: r for r in ordered},
    }
    (out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    print()
    print_table(ordered)
    crashes = [r for r in ordered if r["crash"]]
    internal = sum(r.get("internal_errors") or 0 for r in ordered)
    print(f"\n{len(ordered)} releases, {sum(r['findings'] or 0 for r in ordered)} findings, "
          f"{internal} internal error(s), {len(crashes)} crash(es), {total:.1f}s wall")
    for r in crashes:
        print(f"  {r['project']}: {r['stderr_message'] or '(empty stderr)'}")
    print(f"reports in {out}")
    print("\n== advisories ==")
    advisory_report(out, args.dir, args.advisories, targets, checked=set(keys) if args.only else None)
    print("\n== snapshot diff ==")
    if args.snapshot.is_file():
        diff_snapshot(out, args.snapshot, args.show, only=set(keys) if args.only else None)
    else:
        print(f"no snapshot at {args.snapshot} (write one with `snapshot {out}`)")
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


# --------------------------------------------------------------------------- advisories

def norm_path(p: str) -> str:
    p = str(p).replace("\\", "/")
    while p.startswith("./"):
        p = p[2:]
    return p.strip("/")


def same_file(a: str, b: str) -> bool:
    """Paths equal up to a leading prefix: an sdist's <name>-<version>/ or src/, or a different root."""
    a, b = norm_path(a), norm_path(b)
    return a == b or a.endswith("/" + b) or b.endswith("/" + a)


def locate(root: Path, sink_file: str, sink_text: str) -> tuple[str | None, int | None, str]:
    """(path relative to root, 1-based line of the first ``sink_text``, problem) in an unpacked tree.

    ``sink_file`` is as in site-packages; when root/sink_file is absent (an sdist: src/ layout, or an
    unstripped <name>-<version>/ folder) the shortest path ending in /sink_file is used."""
    want = norm_path(sink_file)
    path = root / want
    if not path.is_file():
        hits = sorted((p for p in root.rglob(PurePosixPath(want).name)
                       if p.is_file() and same_file(p.relative_to(root).as_posix(), want)),
                      key=lambda p: (len(p.parts), str(p)))
        if not hits:
            return None, None, f"no file {want}"
        path = hits[0]
    rel = path.relative_to(root).as_posix()
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError as exc:
        return rel, None, f"unreadable {rel}: {exc}"
    for n, line in enumerate(lines, 1):
        if sink_text in line:
            return rel, n, ""
    return rel, None, f"sink_text not in {rel}"


def report_findings(outdir: Path, key: str) -> list[dict] | None:
    """The findings of OUTDIR/<key>.json, or None when there is no readable report."""
    findings, _, parsed = load_report(outdir, key)
    return findings if parsed else None


def touches(f: dict, path: str, line: int) -> bool:
    """The finding's own location or one of its flow steps is at (path, line)."""
    steps = [f] + [s for s in (f.get("flow") or []) if isinstance(s, dict)]
    return any(s.get("line") == line and s.get("path") and same_file(s["path"], path) for s in steps)


def short_finding(f: dict) -> str:
    return f"{f.get('code')} {f.get('path')}:{f.get('line')}"


def judge(outdir: Path, root: Path, key: str, sink_file: str | None, sink_text: str | None,
          fixed: bool = False) -> dict:
    """Locate a sink in release ``key`` and say whether any finding of its report touches it.

    status: "caught"/"missed" (vulnerable code), "still reported"/"clean"/"removed" (fixed code),
    or "error" (not fetched, not checked, or the sink is not where advisories.toml says)."""
    row: dict = {"release": key, "sink_file": sink_file, "sink_text": sink_text}
    if not (root / key / MARKER).is_file():
        return {**row, "status": "error", "short": "not fetched", "detail": "not fetched"}
    if fixed and not sink_file:
        return {**row, "status": "removed", "detail": "no fixed_sink_file: the code left the package"}
    rel, line, problem = locate(root / key, sink_file, sink_text)
    if line is None:
        if fixed:
            return {**row, "status": "removed", "detail": problem}
        return {**row, "status": "error", "short": "sink not found", "detail": problem}
    row.update(path=rel, line=line, sink=f"{rel}:{line}")
    try:
        internal = count_internal_errors(json.loads((outdir / f"{key}.json").read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError, AttributeError):
        internal = None
    findings = report_findings(outdir, key)
    if findings is None:
        return {**row, "status": "error", "short": "no report",
                "detail": f"no readable report {key}.json in {outdir} (sdblint crashed? see {key}.stderr)"}
    hit = [f for f in findings if touches(f, rel, line)]
    in_file = sorted({(f.get("line"), f.get("code")) for f in findings
                      if f.get("path") and same_file(f["path"], rel) and f not in hit},
                     key=lambda t: (t[0] or 0, str(t[1])))
    row["internal_errors"] = internal
    row["findings"] = sorted({short_finding(f) for f in hit})
    row["other_findings_in_file"] = [f"{c}:{n}" for n, c in in_file]
    if fixed:
        row["status"] = "still reported" if hit else "clean"
    else:
        row["status"] = "caught" if hit else "missed"
    return row


def pct(n: int, d: int) -> str:
    return f"{n}/{d} ({100.0 * n / d:.0f}%)" if d else f"{n}/0"


def print_rows(rows: list[tuple]) -> None:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for n, r in enumerate(rows):
        print("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip())
        if n == 0:
            print("  ".join("-" * w for w in widths))


def advisory_report(outdir: Path, root_dir: Path, advisories_file: Path, targets: list[dict],
                    checked: set[str] | None = None) -> dict:
    """Print the advisory table and totals, write OUTDIR/advisories.json, return that document.

    With ``checked`` (a ``check --only`` run), only the advisories whose vulnerable release and the
    repositories whose commit is in that set are judged."""
    root = root_dir / "src"
    advisories, repositories = read_advisories(advisories_file)
    if checked is not None:
        advisories = [a for a in advisories
                      if release_key(targets, a["package"], a["vulnerable"]) in checked]
        repositories = [r for r in repositories if repo_key(r) in checked]
    results, repo_results = [], []
    for a in advisories:
        vuln = judge(outdir, root, release_key(targets, a["package"], a["vulnerable"]),
                     a["sink_file"], a["sink_text"])
        entry = {"id": a["id"], "package": a["package"], "kind": a.get("kind"), "vulnerable": vuln,
                 "fix_adequate": bool(a.get("fix_adequate"))}
        if a.get("fixed"):
            fx = judge(outdir, root, release_key(targets, a["package"], a["fixed"]),
                       a.get("fixed_sink_file"), a.get("fixed_sink_text"), fixed=True)
            if fx["status"] in ("clean", "still reported", "removed"):
                good = {"clean": True, "removed": True, "still reported": False}[fx["status"]]
                if not entry["fix_adequate"]:
                    good = fx["status"] != "clean"
                fx["expected"] = good
            entry["fixed"] = fx
        results.append(entry)
    for r in repositories:
        repo_results.append({"name": r["name"], "commit": r["commit"], "kind": r.get("kind"),
                             "vulnerable": judge(outdir, root, repo_key(r), r["sink_file"], r["sink_text"])})

    def flag(v: dict) -> str:
        """A clean/missed verdict on a release whose run had internal errors may be the engine's fault."""
        n = v.get("internal_errors")
        return f" ({n} internal errors!)" if n and v["status"] in ("missed", "clean") else ""

    def fixed_cell(e: dict) -> tuple[str, str]:
        fx = e.get("fixed")
        if fx is None:
            return "-", "-"
        st = fx["status"]
        if st == "error":
            text = f"ERROR ({fx['short']})"
        elif e["fix_adequate"]:
            text = {"clean": "clean", "removed": "removed",
                    "still reported": "STILL REPORTED (fix is adequate)"}[st]
        else:
            text = {"clean": "CLEAN (miss: fix inadequate)", "removed": "removed",
                    "still reported": "still reported (expected)"}[st]
        return fx["release"], text + flag(fx)

    rows = [("advisory", "release", "kind", "sink", "vulnerable", "fixed release", "fixed (adequate?)")]
    for e in results:
        v = e["vulnerable"]
        rel, text = fixed_cell(e)
        res = v["status"] + flag(v) if v["status"] != "error" else f"ERROR ({v['short']})"
        adequate = "" if "fixed" not in e else (" [adequate]" if e["fix_adequate"] else " [inadequate]")
        rows.append((e["id"], v["release"], str(e["kind"]), v.get("sink") or v["sink_file"], res,
                     rel, text + (adequate if rel != "-" else "")))
    for e in repo_results:
        v = e["vulnerable"]
        res = v["status"] + flag(v) if v["status"] != "error" else f"ERROR ({v['short']})"
        rows.append((f"repo {e['name']}", v["release"], str(e["kind"]), v.get("sink") or v["sink_file"], res,
                     "-", "-"))
    print_rows(rows)

    missed = [e for e in results + repo_results if e["vulnerable"]["status"] != "caught"]
    if missed:
        print("\nnot caught:")
        for e in missed:
            v = e["vulnerable"]
            label = e.get("id") or e.get("name")
            if v["status"] == "error":
                why = v["detail"]
            else:
                why = "other findings in that file: " + (", ".join(v.get("other_findings_in_file") or []) or "none")
            print(f"  {label}: {v['release']} {v.get('sink') or v['sink_file']} [{v['status']}] "
                  f"{v.get('sink_text')!r}; {why}")
    n_caught = sum(e["vulnerable"]["status"] == "caught" for e in results)
    sinks = {}
    for e in results:
        v = e["vulnerable"]
        sinks.setdefault((v["release"], v.get("sink") or v["sink_file"]), v["status"] == "caught")
    r_caught = sum(e["vulnerable"]["status"] == "caught" for e in repo_results)
    adequate = [e for e in results if "fixed" in e and e["fix_adequate"]]
    adequate_clean = [e for e in adequate if e["fixed"]["status"] in ("clean", "removed")]
    by_removal = sum(e["fixed"]["status"] == "removed" for e in adequate)
    inadequate = [e for e in results if "fixed" in e and not e["fix_adequate"]]
    inad_reported = sum(e["fixed"]["status"] == "still reported" for e in inadequate)
    inad_removed = sum(e["fixed"]["status"] == "removed" for e in inadequate)
    totals = {
        "advisories": len(results), "caught": n_caught,
        "distinct_sinks": len(sinks), "distinct_sinks_caught": sum(sinks.values()),
        "repositories": len(repo_results), "repositories_caught": r_caught,
        "adequately_fixed": len(adequate), "adequately_fixed_clean": len(adequate_clean),
        "adequately_fixed_clean_by_removal": by_removal,
        "inadequately_fixed": len(inadequate), "inadequately_fixed_still_reported": inad_reported,
        "inadequately_fixed_removed": inad_removed,
        "errors": sum(e["vulnerable"]["status"] == "error" for e in results + repo_results)
        + sum(e.get("fixed", {}).get("status") == "error" for e in results),
    }
    print(f"\ncaught: {pct(n_caught, len(results))} advisories "
          f"({pct(totals['distinct_sinks_caught'], len(sinks))} distinct release sinks); "
          f"repositories: {pct(r_caught, len(repo_results))}")
    print(f"adequately fixed, clean: {pct(len(adequate_clean), len(adequate))}"
          + (f" ({by_removal} by removal of the code)" if by_removal else ""))
    print(f"inadequately fixed, still reported: {pct(inad_reported, len(inadequate))}"
          + (f" ({inad_removed} removed from the package)" if inad_removed else ""))
    if totals["errors"]:
        print(f"{totals['errors']} error row(s)")
    doc = {"outdir": str(outdir), "advisories_file": str(advisories_file), "totals": totals,
           "advisories": results, "repositories": repo_results}
    (outdir / "advisories.json").write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
    print(f"written {outdir / 'advisories.json'}")
    return doc


def outdir_root(args: argparse.Namespace) -> Path:
    """--dir if given, else the work folder the OUTDIR's summary.json was checked in."""
    if args.dir is not None:
        return args.dir
    try:
        return Path(json.loads((args.outdir / "summary.json").read_text(encoding="utf-8"))["dir"])
    except (OSError, ValueError, KeyError, TypeError):
        return DEFAULT_DIR


def cmd_advisories(args: argparse.Namespace) -> int:
    root = outdir_root(args)
    args.dir = root
    advisory_report(args.outdir, root, args.advisories, all_targets(args))
    return 0


# --------------------------------------------------------------------------- snapshot

SNAPSHOT_FIELDS = ("path", "line", "code", "sink_callee", "verifier_status")


def stable_finding(f: dict) -> list:
    sink = f.get("sink") if isinstance(f.get("sink"), dict) else {}
    verifier = f.get("verifier") if isinstance(f.get("verifier"), dict) else {}
    return [f.get("path"), f.get("line"), f.get("code"), sink.get("callee"), verifier.get("status")]


def sort_key(row: list) -> tuple:
    return tuple((0, v) if isinstance(v, int) else (1, "" if v is None else str(v)) for v in row)


def snapshot_of(outdir: Path) -> dict:
    """Per release in OUTDIR/summary.json: its findings reduced to SNAPSHOT_FIELDS, sorted, and counts."""
    try:
        summary = json.loads((outdir / "summary.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        sys.exit(f"{outdir}: no readable summary.json ({exc})")
    releases = {}
    for key in sorted(summary.get("projects", {})):
        try:
            doc = json.loads((outdir / f"{key}.json").read_text(encoding="utf-8"))
            findings = list(doc["findings"])
        except (OSError, ValueError, KeyError, TypeError):
            releases[key] = {"report": False, "findings": [], "internal_errors": None, "parse_errors": None}
            continue
        internal = count_internal_errors(doc)
        releases[key] = {
            "report": True,
            # SDB999 (an engine failure, not a finding) is only counted: a broken build would
            # otherwise write thousands of lines that say nothing about the code.
            "findings": sorted((stable_finding(f) for f in findings if f.get("code") != INTERNAL_CODE),
                               key=sort_key),
            "internal_errors": internal,
            "parse_errors": len(doc.get("errors") or []) - internal_error_entries(doc),
        }
    return {"fields": list(SNAPSHOT_FIELDS), "releases": releases}


def dump_snapshot(snap: dict) -> str:
    """Deterministic JSON: sorted keys, one finding per line (diffs stay one line per finding)."""
    out = ["{", f' "fields": {json.dumps(snap["fields"])},', ' "releases": {']
    keys = sorted(snap["releases"])
    for i, key in enumerate(keys):
        rel = snap["releases"][key]
        out.append(f"  {json.dumps(key)}: {{")
        findings = rel["findings"]
        if findings:
            out.append('   "findings": [')
            out += [f"    {json.dumps(f, ensure_ascii=False)}" + ("," if j < len(findings) - 1 else "")
                    for j, f in enumerate(findings)]
            out.append("   ],")
        else:
            out.append('   "findings": [],')
        rest = [k for k in sorted(rel) if k != "findings"]
        out += [f"   {json.dumps(k)}: {json.dumps(rel[k])}" + ("," if j < len(rest) - 1 else "")
                for j, k in enumerate(rest)]
        out.append("  }" + ("," if i < len(keys) - 1 else ""))
    out += [" }", "}"]
    return "\n".join(out) + "\n"


def cmd_snapshot(args: argparse.Namespace) -> int:
    snap = snapshot_of(args.outdir)
    text = dump_snapshot(snap)
    assert json.loads(text) == snap
    args.snapshot.write_text(text, encoding="utf-8")
    n = sum(len(r["findings"]) for r in snap["releases"].values())
    print(f"wrote {args.snapshot}: {len(snap['releases'])} releases, {n} findings")
    return 0


def diff_snapshot(outdir: Path, snapshot_file: Path, show: int, only: set[str] | None = None) -> bool:
    """Print, per release, the findings added and removed in OUTDIR against the snapshot. True if any.

    With ``only`` (the releases a ``check --only`` run checked), the rest of the snapshot is left out."""
    try:
        old = json.loads(snapshot_file.read_text(encoding="utf-8"))["releases"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        sys.exit(f"{snapshot_file}: not a snapshot ({exc})")
    if only is not None:
        old = {k: v for k, v in old.items() if k in only}
    new = snapshot_of(outdir)["releases"]
    differing, added_total, removed_total = 0, 0, 0
    for key in sorted(set(old) | set(new)):
        if key not in new:
            print(f"{key}: in the snapshot, not in {outdir}")
            differing += 1
            continue
        if key not in old:
            print(f"{key}: new release, not in the snapshot ({len(new[key]['findings'])} findings)")
            differing += 1
            continue
        o, n = old[key], new[key]
        oc = {}
        for f in o["findings"]:
            oc[tuple(f)] = oc.get(tuple(f), 0) + 1
        nc = {}
        for f in n["findings"]:
            nc[tuple(f)] = nc.get(tuple(f), 0) + 1
        added = sorted((f for f in nc for _ in range(nc[f] - oc.get(f, 0))), key=sort_key)
        removed = sorted((f for f in oc for _ in range(oc[f] - nc.get(f, 0))), key=sort_key)
        if o.get("report") != n.get("report"):
            notes = ["NO REPORT now (crash?)" if not n.get("report") else "has a report again"]
        else:
            notes = [f"{k.replace('_', ' ')} {o.get(k)} -> {n.get(k)}"
                     for k in ("internal_errors", "parse_errors") if o.get(k) != n.get(k)]
        if not (added or removed or notes):
            continue
        differing += 1
        added_total += len(added)
        removed_total += len(removed)
        print(f"{key}: +{len(added)} -{len(removed)} ({len(o['findings'])} -> {len(n['findings'])} findings)"
              + ("; " + "; ".join(notes) if notes else ""))
        rows = [("+", f) for f in added] + [("-", f) for f in removed]
        for sign, (path, line, code, callee, status) in rows[:show]:
            print(f"    {sign} {path}:{line} {code} {callee} [{status}]")
        if len(rows) > show:
            print(f"    ... and {len(rows) - show} more")
    if differing:
        print(f"\nsnapshot diff: {differing} of {len(set(old) | set(new))} releases differ; "
              f"+{added_total} -{removed_total} findings")
    else:
        print(f"snapshot diff: no change ({len(new)} releases)")
    return bool(differing)


def cmd_diff_snapshot(args: argparse.Namespace) -> int:
    return 1 if diff_snapshot(args.outdir, args.snapshot, args.show) else 0


# --------------------------------------------------------------------------- sample

def cmd_sample(args: argparse.Namespace) -> int:
    """Draw findings at random, for reading by hand along their flows (precision on code nobody
    tuned to). Only releases not in ``--exclude-snapshot`` (the set as it was before) are drawn
    from; SDB999 internal errors are not findings. The draw is fixed by the seed."""
    import random
    excluded: set[str] = set()
    if args.exclude_snapshot is not None:
        excluded = set(json.loads(args.exclude_snapshot.read_text(encoding="utf-8"))["releases"])
    pool = []
    for report_file in sorted(args.outdir.glob("*.json")):
        key = report_file.stem
        if key == "summary" or key in excluded:
            continue
        try:
            report = json.loads(report_file.read_text(encoding="utf-8"))
        except ValueError:
            continue
        pool.extend((key, f) for f in report.get("findings", []) if f.get("code") != "SDB999")
    drawn = random.Random(args.seed).sample(pool, min(args.count, len(pool)))
    print(f"{len(drawn)} of {len(pool)} findings in {len({k for k, _ in pool})} releases (seed {args.seed})")
    for number, (key, f) in enumerate(drawn, 1):
        print(f"\n{number}. {key} {f['path']}:{f['line']} {f['code']} {f['sink']['callee']} [{f['verifier']['status']}]")
        print(f"   {f['message']}")
        for step in f.get("flow", []):
            print(f"     {step['path']}:{step['line']}  {step['note']}")
    return 0


# --------------------------------------------------------------------------- main

def default_mirror_dir() -> Path | None:
    env = os.environ.get("SDB_ECO_MIRROR_DIR")
    if env:
        return Path(env)
    return DEFAULT_MIRROR_DIR if DEFAULT_MIRROR_DIR.is_dir() else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("--dir", type=Path, default=DEFAULT_DIR, help=f"work folder (default {DEFAULT_DIR})")
        p.add_argument("--projects", type=Path, default=DEFAULT_PROJECTS, help="pin list (default: projects.txt here)")
        p.add_argument("--advisories", type=Path, default=DEFAULT_ADVISORIES,
                       help="advisory list (default: advisories.toml here)")
        p.add_argument("--only", action="append", metavar="PATTERN",
                       help="only the projects whose key (e.g. vllm-0.10.0, owner+name-abc1234) matches "
                            "this glob; repeatable")

    p = sub.add_parser("fetch", help="download and unpack the pins, advisory releases and repositories")
    common(p)
    p.add_argument("--mirror-dir", type=Path, default=default_mirror_dir(),
                   help="folder of local git mirrors, <owner>+<name>/repo (default $SDB_ECO_MIRROR_DIR, "
                        f"else {DEFAULT_MIRROR_DIR} if it exists)")
    p = sub.add_parser("check", help="run one sdblint over every unpacked project")
    common(p)
    p.add_argument("--sdblint", required=True, help="path to the sdblint executable to run")
    p.add_argument("--out", type=Path, required=True, help="folder for the reports and summary.json")
    p.add_argument("--jobs", type=int, default=1, help="projects checked at once (default 1)")
    p.add_argument("--snapshot", type=Path, default=DEFAULT_SNAPSHOT, help="snapshot to diff against")
    p.add_argument("--show", type=int, default=10, help="snapshot differences shown per release (default 10)")
    p = sub.add_parser("advisories", help="which advisory sinks a check output folder catches")
    p.add_argument("outdir", type=Path)
    p.add_argument("--dir", type=Path, default=None, help="work folder (default: the one OUTDIR was checked in)")
    p.add_argument("--projects", type=Path, default=DEFAULT_PROJECTS, help="pin list (default: projects.txt here)")
    p.add_argument("--advisories", type=Path, default=DEFAULT_ADVISORIES,
                   help="advisory list (default: advisories.toml here)")
    p = sub.add_parser("snapshot", help="write snapshot.json (stable fields of every finding) from OUTDIR")
    p.add_argument("outdir", type=Path)
    p.add_argument("--snapshot", type=Path, default=DEFAULT_SNAPSHOT, help="file to write (default: snapshot.json here)")
    p = sub.add_parser("diff-snapshot", help="findings added/removed in OUTDIR against snapshot.json")
    p.add_argument("outdir", type=Path)
    p.add_argument("--snapshot", type=Path, default=DEFAULT_SNAPSHOT, help="snapshot (default: snapshot.json here)")
    p.add_argument("--show", type=int, default=20, help="differences shown per release (default 20)")
    p = sub.add_parser("sample", help="draw findings at random from OUTDIR, with their flows, to read by hand")
    p.add_argument("outdir", type=Path)
    p.add_argument("--seed", type=int, required=True, help="fixes the draw")
    p.add_argument("--count", type=int, default=40, help="findings to draw (default 40)")
    p.add_argument("--exclude-snapshot", type=Path, default=None,
                   help="draw only from releases this snapshot does not hold (the projects added since)")
    p = sub.add_parser("compare", help="compare two check output folders")
    p.add_argument("old", type=Path)
    p.add_argument("new", type=Path)
    p.add_argument("--show", type=int, default=5, help="differences shown per project (default 5)")
    args = parser.parse_args(argv)
    return {"fetch": cmd_fetch, "check": cmd_check, "compare": cmd_compare, "advisories": cmd_advisories,
            "snapshot": cmd_snapshot, "diff-snapshot": cmd_diff_snapshot, "sample": cmd_sample}[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
