"""Odd input is reported or analysed, never fatal."""
from helpers import check_json

CASES = {
    "bad.py": b"def f(:\n",
    "nul.py": b"a = 1\x00\n",
    "latin.py": b'x = "\xff\xfe"\n',
    "py2.py": b'print "hello"\n',
    "declared.py": b'# -*- coding: latin-1 -*-\nx = "\xff"\n',
    "long_chain.py": ("x = " + "+".join(["a"] * 3000) + "\n").encode(),
    "deep.py": ("x = " + "(" * 150 + "1" + ")" * 150 + "\n").encode(),
    "modern.py": b"match x:\n    case [1, *rest] if rest:\n        pass\ntype Alias = int\n",
}


def test_bad_files_are_reported_and_the_rest_analysed(tmp_path):
    for name, data in CASES.items():
        (tmp_path / name).write_bytes(data)
    report = check_json(tmp_path)
    errors = {e["path"]: e["message"] for e in report["errors"]}
    assert set(errors) == {"bad.py", "nul.py", "latin.py", "py2.py"}
    assert errors["bad.py"].startswith("syntax error at line 1")
    assert "null bytes" in errors["nul.py"] and "line None" not in errors["nul.py"]
    assert "decode" in errors["latin.py"]
    assert report["summary"]["files"] == len(CASES)
