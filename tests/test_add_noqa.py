"""Issue 21 items 2-5: `check --add-noqa`, the one command that writes a user's files, never loses a
byte. It counts lines as Python does, its waivers are recognised in every line-ending style, a
failed write (`ulimit -f`) leaves the file as it was and exits 2, and standard input is refused.
Each case runs the real command line in a subprocess."""
import ast
import os
import resource
import subprocess
import sys

import pytest
from helpers import write

from sdblint.findings.suppress import NoSuchLine, python_lines, with_suppressions

HEAD = """import subprocess
from openai import OpenAI

client = OpenAI()

def run(task):
    # see the next page{sep}of the runbook
    cmd = client.chat.completions.create(model="gpt-4o", messages=[]).choices[0].message.content
"""
# The last line of each sink statement follows a line where a comment must not go: inside a
# string (the program would change) or after a backslash (the file would stop parsing).
STRING_SINK = '    subprocess.run(cmd, shell=True, input="""\nkeep this text\n""")\n'
BACKSLASH_SINK = "    subprocess.run(cmd, \\\n                   shell=True)\n"
# Every character `str.splitlines` breaks at that Python reads as part of the line.
NOT_LINE_BREAKS = ["\f", "\x0b", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"]


def sdblint(*args, cwd, input=None, limit_file_size=None):
    def limited():
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit_file_size, limit_file_size))
    return subprocess.run([sys.executable, "-m", "sdblint", "check", *args], capture_output=True, timeout=300,
                          cwd=cwd, input=input, preexec_fn=limited if limit_file_size is not None else None)


def findings(folder) -> int:
    """The exit code of a plain check: 0 once every finding is waived."""
    return sdblint("--no-cache", "-q", ".", cwd=folder).returncode


@pytest.mark.parametrize("sep", NOT_LINE_BREAKS)
def test_a_character_splitlines_breaks_at_leaves_the_program_as_it_was(tmp_path, sep):
    write(tmp_path, {"pyproject.toml": "[tool.sdblint]\n"})
    sources = {"in_a_string.py": HEAD.format(sep=sep) + STRING_SINK, "after_a_backslash.py": HEAD.format(sep=sep) + BACKSLASH_SINK}
    for name, text in sources.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    assert findings(tmp_path) == 1
    added = sdblint("--add-noqa", "--no-cache", ".", cwd=tmp_path)
    assert added.returncode == 0 and b"Added 2 suppressions in 2 files." in added.stdout
    for name, before in sources.items():
        after = (tmp_path / name).read_text(encoding="utf-8")
        assert ast.dump(ast.parse(after)) == ast.dump(ast.parse(before))   # only a comment was added
        assert after.count("# sdblint: ignore[SDB102]") == 1
    assert "keep this text\n" in (tmp_path / "in_a_string.py").read_text(encoding="utf-8")
    assert findings(tmp_path) == 0


@pytest.mark.parametrize("newline", ["\r", "\r\n", "\n"])
def test_the_waiver_is_recognised_in_every_line_ending_style_and_added_once(tmp_path, newline):
    write(tmp_path, {"pyproject.toml": "[tool.sdblint]\n"})
    source = (HEAD.format(sep=" ") + "    subprocess.run(cmd, shell=True)\n").replace("\n", newline).encode()
    (tmp_path / "agent.py").write_bytes(source)
    assert b"Added 1 suppression in 1 file." in sdblint("--add-noqa", "--no-cache", ".", cwd=tmp_path).stdout
    edited = (tmp_path / "agent.py").read_bytes()
    assert edited == source.replace(b"shell=True)", b"shell=True)  # sdblint: ignore[SDB102] TODO: say why this is safe")
    assert findings(tmp_path) == 0
    again = sdblint("--add-noqa", "--no-cache", ".", cwd=tmp_path)
    assert b"Added 0 suppressions in 0 files." in again.stdout and (tmp_path / "agent.py").read_bytes() == edited


def project(tmp_path, text=None):
    write(tmp_path, {"pyproject.toml": "[tool.sdblint]\n"})
    file = tmp_path / "agent.py"
    file.write_text(text or HEAD.format(sep=" ") + "    subprocess.run(cmd, shell=True)\n", encoding="utf-8")
    return file


def test_a_failed_write_leaves_the_file_as_it_was_and_exits_2(tmp_path):
    """`ulimit -f` just above the file's size: the edited file cannot be written whole."""
    file = project(tmp_path)
    before = file.read_bytes()
    result = sdblint("--add-noqa", "--no-cache", ".", cwd=tmp_path, limit_file_size=len(before) + 10)
    assert result.returncode == 2, result.stderr
    assert b"cannot add suppressions to agent.py (left as it was)" in result.stderr
    assert b"Added 0 suppressions in 0 files." in result.stdout
    assert file.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["agent.py", "pyproject.toml"]   # no temporary file left


def test_standard_input_is_refused_and_the_file_left_alone(tmp_path):
    """The issue's case: a buffer longer than the file on disk ended in a traceback with the file emptied."""
    file = project(tmp_path, "x = 1\n")
    buffer = (HEAD.format(sep=" ") + "    subprocess.run(cmd, shell=True)\n").encode()
    result = sdblint("--add-noqa", "--no-cache", "--stdin-filename", "agent.py", "-", cwd=tmp_path, input=buffer)
    assert result.returncode == 2 and b"--add-noqa edits files on disk" in result.stderr
    assert b"Traceback" not in result.stderr and file.read_text() == "x = 1\n"


def test_the_file_keeps_its_permissions_its_encoding_and_its_links(tmp_path):
    latin = "# -*- coding: latin-1 -*-\n" + HEAD.format(sep=" ").replace("runbook", "caf\xe9") + \
            "    subprocess.run(cmd, shell=True)\n"
    file = project(tmp_path, "x = 1\n")
    file.write_bytes(latin.encode("latin-1"))
    os.chmod(file, 0o750)
    (tmp_path / "bom.py").write_bytes(b"\xef\xbb\xbf" + latin.split("\n", 1)[1].encode("utf-8"))
    os.symlink(tmp_path / "bom.py", tmp_path / "link.py")
    result = sdblint("--add-noqa", "--no-cache", "agent.py", "link.py", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert file.stat().st_mode & 0o777 == 0o750
    assert file.read_bytes().decode("latin-1").count("caf\xe9") == 1 and b"ignore[SDB102]" in file.read_bytes()
    assert (tmp_path / "link.py").is_symlink() and (tmp_path / "bom.py").read_bytes().startswith(b"\xef\xbb\xbfimport")
    assert b"ignore[SDB102]" in (tmp_path / "bom.py").read_bytes()
    assert findings(tmp_path) == 0


def test_lines_are_counted_as_python_counts_them():
    text = "a = 1  # \f\x0b\x1c\x85\u2028\rb = 2\r\nc = 3\nd = 4"
    assert python_lines(text) == ["a = 1  # \f\x0b\x1c\x85\u2028\r", "b = 2\r\n", "c = 3\n", "d = 4"]
    assert with_suppressions(text, {2: {"SDB102"}}).split("\r\n")[0].endswith("b = 2  # sdblint: ignore[SDB102] "
                                                                              "TODO: say why this is safe")
    with pytest.raises(NoSuchLine):
        with_suppressions(text, {5: {"SDB102"}})


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write any file")
def test_a_read_only_file_is_left_alone(tmp_path):
    file = project(tmp_path)
    before = file.read_bytes()
    os.chmod(file, 0o444)
    result = sdblint("--add-noqa", "--no-cache", ".", cwd=tmp_path)
    assert result.returncode == 2 and b"the file is read-only" in result.stderr and file.read_bytes() == before


@pytest.mark.skipif(os.geteuid() != 0, reason="only root may give a file to another user")
def test_root_editing_another_users_file_keeps_its_owner(tmp_path):
    file = project(tmp_path)
    os.chown(file, 65534, 65534)
    assert sdblint("--add-noqa", "--no-cache", ".", cwd=tmp_path).returncode == 0
    assert b"ignore[SDB102]" in file.read_bytes() and (file.stat().st_uid, file.stat().st_gid) == (65534, 65534)
