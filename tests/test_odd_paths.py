"""Odd paths in a checked tree (issue 21): each is an entry in `errors`, the rest of the run is
reported, and nothing hangs or ends the run with exit 2. Each is made as the audit found it, in a
real tree checked by a real `sdblint` process."""
import json
import os
import pwd
import shutil
import subprocess
import sys
import tempfile

import pytest
from helpers import OPENAI_SHELL, check_json

from sdblint.limits import MAX_FILE_BYTES

# Far more than a run over these trees needs; only there so that a hang fails instead of waiting forever.
HANG_GUARD_SECONDS = 120


def sdblint(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sdblint", "check", "--no-cache", *args],
                          capture_output=True, timeout=HANG_GUARD_SECONDS)


def errors_of(proc: subprocess.CompletedProcess) -> dict[str, str]:
    assert proc.returncode == 1, proc.stderr   # agent.py's finding; never 2 ("internal error")
    report = json.loads(proc.stdout)
    assert [f["path"] for f in report["findings"]] == ["agent.py"]
    return {e["path"]: e["message"] for e in report["errors"]}


def test_a_symlink_to_itself_is_reported_and_the_run_goes_on(tmp_path):
    (tmp_path / "agent.py").write_text(OPENAI_SHELL)
    os.symlink("loop.py", tmp_path / "loop.py")
    assert errors_of(sdblint("--output-format", "json", str(tmp_path))) == {"loop.py": "not checked: a symlink loop"}
    assert sdblint(str(tmp_path)).returncode == 1


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes on this OS")
def test_a_fifo_named_like_a_module_is_not_read(tmp_path):
    """Opening a FIFO for reading waits for a writer: the run used to hang forever."""
    (tmp_path / "agent.py").write_text(OPENAI_SHELL)
    os.mkfifo(tmp_path / "x.py")
    assert errors_of(sdblint("--output-format", "json", str(tmp_path))) == {
        "x.py": "cannot read file: not a regular file but a named pipe"}


def test_a_file_or_folder_name_that_is_not_utf8_is_reported_as_it_is_spelled(tmp_path):
    (tmp_path / "agent.py").write_text(OPENAI_SHELL)
    root = os.fsencode(tmp_path)
    try:
        with open(root + b"/caf\xe9.py", "wb") as file:   # Latin-1, as an old archive unpacks
            file.write(OPENAI_SHELL.encode())
        os.mkdir(root + b"/d\xe9p")
    except OSError:
        pytest.skip("this file system only takes UTF-8 names")
    with open(root + b"/d\xe9p/inside.py", "wb") as file:
        file.write(b"x = 1\n")
    expected = {"caf\\xe9.py": "not checked: the file name is not valid UTF-8",
                "d\\xe9p": "not checked: the folder name is not valid UTF-8"}
    assert errors_of(sdblint("--output-format", "json", str(tmp_path))) == expected
    for fmt in ("full", "sarif", "github", "junit"):   # every format can write the path
        assert sdblint("--output-format", fmt, str(tmp_path)).returncode == 1


def test_a_path_longer_than_the_os_allows_is_reported(tmp_path):
    (tmp_path / "agent.py").write_text(OPENAI_SHELL)
    folder = os.open(tmp_path, os.O_RDONLY)
    try:   # made one level at a time, relative to the last, as only such a tree can be
        for _ in range(os.pathconf(tmp_path, "PC_PATH_MAX") // 200 + 2):
            os.mkdir("d" * 200, dir_fd=folder)
            inner = os.open("d" * 200, os.O_RDONLY, dir_fd=folder)
            os.close(folder)
            folder = inner
        with open(os.open("deep.py", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=folder), "w") as file:
            file.write(OPENAI_SHELL)
    finally:
        os.close(folder)
    try:
        (errors,) = errors_of(sdblint("--output-format", "json", str(tmp_path))).items()
        assert errors[0].startswith("d" * 200 + "/") and errors[1] == "not checked: cannot list the folder (File name too long)"
    finally:
        subprocess.run(["rm", "-rf", str(tmp_path / ("d" * 200))], check=True)   # shutil cannot remove it either


def as_unprivileged(action):
    """``action()`` as a user that folder permissions apply to: this one, or when the tests run as
    root (who reads every folder) a forked child that has become `nobody` (forked rather than
    started: the interpreter may be in a folder `nobody` cannot read)."""
    if os.geteuid() != 0:
        return action()
    try:
        nobody = pwd.getpwnam("nobody")
    except KeyError:
        pytest.skip("running as root and there is no user `nobody` to drop to")
    read, write = os.pipe()
    child = os.fork()
    if child == 0:   # pragma: no cover (the child process)
        try:
            os.close(read)
            os.setgroups([])
            os.setgid(nobody.pw_gid)
            os.setuid(nobody.pw_uid)
            os.write(write, json.dumps(action()).encode())
        finally:
            os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as answer:
        data = answer.read()
    os.waitpid(child, 0)
    return json.loads(data)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs POSIX permissions")
def test_folders_that_cannot_be_listed_or_entered_are_reported():
    """A folder without execute permission ended the run with exit 2; one without read
    permission was skipped without a word."""
    tree = tempfile.mkdtemp()
    try:
        os.chmod(tree, 0o755)
        for rel, text in {"agent.py": OPENAI_SHELL, "noexec/a.py": "x = 1\n", "noexec/sub/b.py": "x = 1\n",
                          "noread/c.py": "x = 1\n"}.items():
            os.makedirs(os.path.dirname(os.path.join(tree, rel)), exist_ok=True)
            with open(os.path.join(tree, rel), "w") as file:
                file.write(text)
        os.chmod(os.path.join(tree, "agent.py"), 0o644)
        assert check_json(tree, "--no-cache")["errors"] == []   # readable, all of it; also loads every module
        os.chmod(os.path.join(tree, "noexec"), 0o644)   # listable, not enterable
        os.chmod(os.path.join(tree, "noread"), 0o311)   # enterable, not listable
        report = as_unprivileged(lambda: check_json(tree, "--no-cache"))
        assert {e["path"]: e["message"] for e in report["errors"]} == {
            "noexec": "not checked: cannot enter the folder (Permission denied)",
            "noread": "not checked: cannot list the folder (Permission denied)"}
        assert [f["path"] for f in report["findings"]] == ["agent.py"]
    finally:
        for folder in ("noexec", "noread"):
            os.chmod(os.path.join(tree, folder), 0o755)
        shutil.rmtree(tree)


def peak_memory_driver() -> str:
    """A Python program that runs its arguments and prints their exit code, output and the peak
    memory of that process tree in KiB (macOS counts in bytes)."""
    return ("import json, resource, subprocess, sys\n"
            "proc = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
            "peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
            "print(json.dumps([proc.returncode, proc.stdout, peak // 1024 if sys.platform == 'darwin' else peak]))\n")


def test_generated_files_over_the_size_limit_are_reported_unread(tmp_path):
    """Two 10.5 MB generated files took 3.46 GB of memory before their time budget ran out."""
    generated = "".join(f"v{i % 1000} = f(a, b, c={i})\n" for i in range(460_000))
    assert len(generated) > 10_000_000
    for name in ("gen_a.py", "gen_b.py"):
        (tmp_path / name).write_text(generated)
    (tmp_path / "agent.py").write_text(OPENAI_SHELL)
    proc = subprocess.run([sys.executable, "-c", peak_memory_driver(), sys.executable, "-m", "sdblint", "check",
                           "--no-cache", "--output-format", "json", "--file-timeout", "3600", str(tmp_path)],
                          capture_output=True, text=True, timeout=HANG_GUARD_SECONDS)
    returncode, output, peak_kib = json.loads(proc.stdout)
    report = json.loads(output)
    message = f"not analysed: larger than the per-file limit of {MAX_FILE_BYTES / 1e6:g} MB (MAX_FILE_BYTES)"
    assert report["errors"] == [{"path": p, "kind": "not-analysed", "message": message} for p in ("gen_a.py", "gen_b.py")]
    assert report["summary"]["limits_hit"] == {"MAX_FILE_BYTES": 2}
    assert [f["path"] for f in report["findings"]] == ["agent.py"] and returncode == 1
    assert peak_kib < 512 * 1024


# A flow inside a module, one through an attribute of a class (ids `a:<class>:<attr>`, whose module
# part held the `:`), and one across modules of a package whose folder has a `:` in its name.
COLON_TREE = {
    "a:b.py": """
import subprocess
from openai import OpenAI

client = OpenAI()

def run(task):
    cmd = client.chat.completions.create(model="gpt-4o", messages=[]).choices[0].message.content
    subprocess.run(cmd, shell=True)

class Agent:
    def __init__(self):
        self.client = OpenAI()

    def plan(self):
        self.out = self.client.chat.completions.create(model="m", messages=[]).choices[0].message.content
        return self.out

    def act(self):
        subprocess.run(self.plan(), shell=True)
""",
    "x:y/__init__.py": "",
    "x:y/model.py": """
from openai import OpenAI

def propose(task):
    return OpenAI().chat.completions.create(model="m", messages=[]).choices[0].message.content
""",
    "x:y/act.py": """
import os
from .model import propose

def act(task):
    os.system(propose(task))
""",
}


def test_a_colon_in_a_file_or_folder_name_loses_no_flow(tmp_path):
    """Node ids were split on `:`: a file `a:b.py` lost its flows or raised SDB999 findings."""
    def findings(tree: dict[str, str], root) -> set[tuple[str, int, str]]:
        for rel, text in tree.items():
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_text(text.lstrip("\n"))
        report = json.loads(sdblint("--output-format", "json", str(root)).stdout)
        assert report["errors"] == []
        return {(f["path"], f["line"], f["code"]) for f in report["findings"]}

    with_colons = findings(COLON_TREE, tmp_path / "colons")
    without = findings({rel.replace(":", "_"): text for rel, text in COLON_TREE.items()}, tmp_path / "plain")
    assert {(path.replace(":", "_"), line, code) for path, line, code in with_colons} == without
    assert without == {("a_b.py", 8, "SDB102"), ("a_b.py", 19, "SDB102"), ("x_y/act.py", 5, "SDB102")}


def test_module_names_hold_no_colon_and_keep_files_apart():
    from sdblint.extract.parse import module_name

    assert module_name("x:y/a:b.py") == ("x%3Ay.a%3Ab", False)
    assert module_name("a%3Ab.py")[0] != module_name("a:b.py")[0]   # a name that spells the escape itself
