"""Issue 21 items 1, 6 and 7: nothing in the cache folder can run code or stand in for a file's facts
or a run's results, a damaged or planted entry is discarded and recomputed (the run is the one
`--no-cache` gives), and a failed write leaves nothing behind.

Each test runs the real command line in a subprocess against a cache folder inside the project,
where a pull request could commit files."""
import hashlib
import json
import os
import pickle
import resource
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import MODEL_MODULE, OPENAI_SHELL, write

from sdblint import typed_json
from sdblint.cache_entries import KEY_FILE, KEY_VARIABLE, SEAL, sealed, unsealed
from sdblint.extract.cache import encoded
from sdblint.facts import Loc, ModuleFacts, ParseError

CACHE = ".sdblint_cache"
SINKS = """
import os, subprocess
from bot.model import propose

def act(task):
    text = propose(task)
    os.system(text)
    subprocess.run(text, shell=True)
    eval(text)
"""


def sdblint(project, *extra, limit_file_size=None, key=None):
    """`sdblint check --output-format json` on ``project`` in a process of its own; with
    ``limit_file_size`` (bytes), under `ulimit -f` as the issue found the failed writes; with ``key``,
    that cache key in the environment."""
    def limited():
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit_file_size, limit_file_size))
    return subprocess.run([sys.executable, "-m", "sdblint", "check", "--output-format", "json", *extra, str(project)],
                          capture_output=True, text=True, timeout=300, cwd=project,
                          env={**os.environ, KEY_VARIABLE: key} if key else None,
                          preexec_fn=limited if limit_file_size is not None else None)


def project_with_findings(tmp_path):
    return write(tmp_path / "p", {"pyproject.toml": "[tool.sdblint]\n", "bot/__init__.py": "", "bot/model.py": MODEL_MODULE,
                                  "bot/act.py": SINKS, "shell.py": OPENAI_SHELL})


def cache_entries(project):
    """Every entry the runs wrote: per-file facts and the run's results."""
    return sorted(p for p in (project / CACHE).rglob("*.json"))


def assert_same_as_without_cache(project, run):
    clean = sdblint(project, "--no-cache")
    assert (run.returncode, run.stdout) == (clean.returncode, clean.stdout), run.stderr
    assert "internal error" not in run.stderr and "Traceback" not in run.stderr
    assert len(json.loads(run.stdout)["findings"]) >= 4


class Payload:
    """What a pickle in a planted entry does when it is loaded: here, create a file."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return open, (str(self.marker), "w")


def test_a_planted_pickle_entry_runs_nothing(tmp_path):
    project = project_with_findings(tmp_path)
    assert sdblint(project).returncode == 1
    marker = tmp_path / "pwned"
    evil = pickle.dumps(Payload(marker))
    assert pickle.loads(evil) and marker.exists()   # the payload works when unpickled ...
    marker.unlink()
    entries = cache_entries(project)
    assert len(entries) == 5   # four files' facts and one run
    for i, entry in enumerate(entries):   # ... planted at the very keys a run reads, bare and behind a valid seal
        entry.write_bytes(evil if i % 2 else sealed(evil))
    run = sdblint(project)
    assert not marker.exists()
    assert_same_as_without_cache(project, run)


def facts_entry(project, name):
    """The facts entry of the file ``name``."""
    for entry in cache_entries(project):
        if entry.parent.name != "results":
            held = typed_json.loads(unsealed(entry.read_bytes()), ModuleFacts | ParseError)
            if held.path == name:
                return entry, held
    raise AssertionError(name)


def results_entry(project):
    [entry] = [e for e in cache_entries(project) if e.parent.name == "results"]
    return entry


def flip_a_bit(data: bytes, at: int) -> bytes:
    return data[:at] + bytes([data[at] ^ 0x04]) + data[at + 1:]


def unkeyed(payload: bytes) -> bytes:
    """What anyone can compute from the payload alone: a plain digest in the seal's place."""
    return f"{SEAL} {hashlib.sha256(payload).hexdigest()}\n".encode() + payload


def other_shape(project):
    """Entries that hold something else than the file's facts: well-formed and sealed with the
    user's key (so that each check behind the seal is tried), or facts sealed without the key."""
    entry, _ = facts_entry(project, "bot/act.py")
    _, other = facts_entry(project, "shell.py")
    return entry, [
        unkeyed(encoded(ModuleFacts("bot/act.py", "bot.act", (), ()))),            # the type, emptied: findings drop
        sealed(encoded(ModuleFacts("bot/act.py", "bot.act", (), ())), b"a guessed key"),
        sealed(encoded(other)),                                                    # another file's facts
        unkeyed(encoded(ParseError("bot/act.py", "syntax error", 1, syntax=True))),  # another type
        sealed(encoded(ParseError("bot/act.py", "not analysed", transient=True))),  # never stored
        sealed(json.dumps(["ModuleFacts", ["bot/act.py", "bot.act", [], [], [], [], [[1, 2, 3]]]]).encode()),
        sealed(b'{"path": "bot/act.py"}'),
        sealed(b"[" * 100_000 + b"]" * 100_000),
        sealed(json.dumps(["Loc", [1, 2, 3, 4]]).encode()),
        sealed(typed_json.dumps(Loc(1, 2, 3, 4), Loc)),
        sealed(b"\xff\xfe"),
        b"",
    ]


@pytest.mark.parametrize("case", range(12))
def test_a_facts_entry_of_another_shape_is_recomputed(tmp_path, case):
    project = project_with_findings(tmp_path)
    sdblint(project)
    results_entry(project).unlink()   # so that the run reads the facts
    entry, planted = other_shape(project)
    entry.write_bytes(planted[case])
    assert_same_as_without_cache(project, sdblint(project))
    assert facts_entry(project, "bot/act.py")[1].calls   # healed: the entry holds the file's facts again


@pytest.mark.parametrize("which", ["facts", "results"])
def test_a_flipped_bit_or_a_cut_entry_heals(tmp_path, which):
    project = project_with_findings(tmp_path)
    sdblint(project)
    entry = facts_entry(project, "bot/act.py")[0] if which == "facts" else results_entry(project)
    good = entry.read_bytes()
    if which == "facts":
        results_entry(project).unlink()
    for damaged in (flip_a_bit(good, len(good) // 2), flip_a_bit(good, 3), good[: len(good) // 2],
                    good.replace(SEAL.encode(), b"sdblint-cache sha1")):
        entry.write_bytes(damaged)
        run = sdblint(project)
        assert_same_as_without_cache(project, run)
        assert entry.read_bytes() == good   # the next run finds the entry whole again
        if which == "facts":
            results_entry(project).unlink()


def test_a_run_entry_of_another_shape_is_recomputed(tmp_path):
    project = project_with_findings(tmp_path)
    sdblint(project)
    entry = results_entry(project)
    stored = json.loads(unsealed(entry.read_bytes()))
    for planted in ([stored[0], stored[1], ["x"]],                                  # not a run
                    [stored[0], stored[1], [[["SDB101"]], [], [], {}]],               # a finding of another shape
                    [stored[0], {"a.py": 1}, stored[2]],                              # a digest that is a number
                    [stored[0], stored[1], stored[2][:3] + [{"max_paths": True}]]):   # a count that is a boolean
        entry.write_bytes(sealed(json.dumps(planted).encode()))
        assert_same_as_without_cache(project, sdblint(project))


def test_failed_cache_writes_leave_no_temporary_files(tmp_path):
    """`ulimit -f`: every entry is cut off by the file size limit; the run is whole, and nothing is left behind."""
    project = project_with_findings(tmp_path)
    for _ in range(2):
        run = sdblint(project, limit_file_size=200)
        assert_same_as_without_cache(project, run)
    assert not list((project / CACHE).rglob("*.tmp"))
    assert [facts_entry(project, "bot/__init__.py")[0]] == cache_entries(project)   # the one entry under 200 bytes


def test_the_key_is_the_users_and_entries_sealed_under_another_are_not_read(tmp_path):
    project = project_with_findings(tmp_path)
    assert "4 parsed, 0 from the cache" in sdblint(project, "-v").stderr
    key = Path(os.environ["XDG_CACHE_HOME"]) / KEY_FILE
    assert key.stat().st_mode & 0o777 == 0o600 and len(key.read_bytes()) == 32
    results_entry(project).unlink()
    assert "0 parsed, 4 from the cache" in sdblint(project, "-v").stderr
    results_entry(project).unlink()
    other = sdblint(project, "-v", key="a CI secret")   # a cache made on another machine, or by someone else
    assert "4 parsed, 0 from the cache" in other.stderr
    assert_same_as_without_cache(project, other)
    results_entry(project).unlink()
    assert "0 parsed, 4 from the cache" in sdblint(project, "-v", key="a CI secret").stderr


def test_every_fixture_file_s_facts_come_back_from_the_cache_format_as_they_were():
    """Every shape extraction gives (the fixtures cover them) survives the cache's encoding."""
    from sdblint.extract import extract_bytes
    from sdblint.extract.cache import decoded
    root = Path(__file__).resolve().parents[1] / "fixtures"
    files = sorted(root.rglob("*.py"))
    assert len(files) > 100
    for file in files:
        result = extract_bytes(file.relative_to(root).as_posix(), file.read_bytes(), None)
        assert decoded(encoded(result)) == result, file
    # A file name that is not UTF-8 (its bytes kept as lone surrogates) and text that is not ASCII.
    result = extract_bytes("caf\udce9.py", 'x = "\u00e9\u4e2d"\nimport os\nos.system(x)\n'.encode(), None)
    assert decoded(encoded(result)) == result


@pytest.mark.parametrize("text, kind", [
    (b"[1, 2, 3, true]", Loc), (b"[1, 2, 3]", Loc), (b"[1, 2, 3, 4, 5]", Loc), (b'[1, 2, 3, "4"]', Loc),
    (b"[1, 2, 3, 4.0]", Loc), (b'{"line": 1}', Loc), (b'["ParseError", ["a.py", "m", "x"]]', ModuleFacts | ParseError),
    (b'["Loc", [1, 2, 3, 4]]', ModuleFacts | ParseError), (b"NaN", Loc), (b"[1, 2, 3, 4] [", Loc),
])
def test_a_value_of_another_shape_is_refused(text, kind):
    with pytest.raises(typed_json.InvalidEntry):
        typed_json.loads(text, kind)
    assert typed_json.loads(b"[1, 2, 3, 4]", Loc) == Loc(1, 2, 3, 4)


def test_a_type_the_format_cannot_read_is_refused_when_its_codec_is_built():
    with pytest.raises(TypeError):
        typed_json.codec(tuple)
    with pytest.raises(TypeError):
        typed_json.codec(int | str)


def test_a_file_name_that_is_not_utf8_is_cached_like_any_other(tmp_path):
    """Its undecodable bytes are lone surrogates in the name: keyed and written as they are."""
    from sdblint.extract import extract_bytes
    from sdblint.extract.cache import FactsCache
    from sdblint.run_cache import RunCache
    name = "caf\udce9.py"
    cache = FactsCache(tmp_path)
    result = extract_bytes(name, b"x = 1\n", None)
    cache.store(name, "digest", encoded(result))
    assert cache.load(name, "digest") == result and cache.load("caf\u00e9.py", "digest") is None
    assert RunCache(tmp_path, "settings").key([(name, "digest")], []) != RunCache(tmp_path, "settings").key(
        [("caf\u00e9.py", "digest")], [])
