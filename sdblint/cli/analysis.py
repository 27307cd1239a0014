"""What `check`, `baseline` and the other analysing commands share: the options that decide what is
analysed and how, and one function that runs the pipeline with them."""
from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

import click

from ..config.errors import ConfigError
from ..config.settings import Settings, load_settings, parse_override
from ..discover import matches_any
from ..extract import DEFAULT_FILE_TIMEOUT
from ..extract.cache import DEFAULT_CACHE_DIR
from ..gate import gated, touching
from ..gate.revision import checkout
from ..pipeline import Options, Result, Stats, relative, run

PYTHON_SUFFIX = ".py"
STUB_SUFFIX = ".pyi"   # stubs hold no flows; a hook passes them along with the sources


def split_codes(values: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(c.strip() for v in values for c in v.split(",") if c.strip())


# The main options can come from the environment too, as ruff's RUFF_* do: `SDBLINT_` and the
# option's name (`SDBLINT_SELECT="SDB1 SDB2"`, `SDBLINT_NO_CACHE=1`); the command line wins. Not
# --config: a list option's variable is split at spaces, and a KEY = VALUE line holds spaces.
def env(name: str) -> str:
    return f"SDBLINT_{name.upper()}"


ANALYSIS_OPTIONS = [
    click.argument("paths", nargs=-1, type=click.Path(exists=True, allow_dash=True, path_type=Path)),
    click.option("--select", multiple=True, envvar=env("select"), show_envvar=True,
                 help="Rule codes or prefixes to enable (comma-separated), e.g. SDB1."),
    click.option("--extend-select", multiple=True, envvar=env("extend_select"), show_envvar=True,
                 help="Codes or prefixes to enable on top of the selection."),
    click.option("--ignore", multiple=True, envvar=env("ignore"), show_envvar=True, help="Codes or prefixes to disable."),
    click.option("--exclude", multiple=True, envvar=env("exclude"), show_envvar=True,
                 help="Globs of files and folders not to check, instead of the config's exclude (comma-separated)."),
    click.option("--extend-exclude", multiple=True, envvar=env("extend_exclude"), show_envvar=True,
                 help="Globs to exclude on top of the config's exclude and extend-exclude (comma-separated)."),
    click.option("--config", "config_values", multiple=True, metavar="FILE|KEY=VALUE",
                 help="Read settings from this TOML file instead of the nearest pyproject.toml; or override one "
                      "setting with a TOML line (--config 'fail-on = \"error\"'); may be repeated."),
    click.option("--cache-dir", type=click.Path(file_okay=False, path_type=Path), envvar=env("cache_dir"),
                 show_envvar=True, help=f"Cache per-file facts here [default: {DEFAULT_CACHE_DIR} in the project root]."),
    click.option("--no-cache", is_flag=True, envvar=env("no_cache"), show_envvar=True,
                 help="Neither read nor write the cache."),
    click.option("--jobs", "-j", type=click.IntRange(min=1), default=None, envvar=env("jobs"), show_envvar=True,
                 help="Worker processes for parsing [default: one per core]."),
    click.option("--file-timeout", type=click.FloatRange(min=0, min_open=True), default=DEFAULT_FILE_TIMEOUT,
                 show_default=True, envvar=env("file_timeout"), show_envvar=True,
                 help="Seconds one file may take to parse and extract before it is reported and skipped."),
    click.option("--force-exclude", is_flag=True,
                 help="Apply the config's exclude to files given explicitly too (for pre-commit)."),
    click.option("--stdin-filename", type=click.Path(dir_okay=False, path_type=Path),
                 help="Check standard input as this file, with the project on disk as context (`-` may be "
                      "given too, or left out)."),
]


def analysis_options(command):
    for option in reversed(ANALYSIS_OPTIONS):
        command = option(command)
    return command


@dataclass(frozen=True)
class Plan:
    """What a run will analyse, decided from the command line before anything is parsed."""
    settings: Settings
    options: Options
    paths: tuple[Path, ...]            # handed to the pipeline
    focus: tuple[str, ...] | None      # root-relative paths given explicitly; None: report everything
    buffers: dict[Path, bytes]         # standard input standing in for a file
    notes: tuple[str, ...]             # for stderr: files given explicitly and skipped, and why


@dataclass(frozen=True)
class Analysed:
    settings: Settings
    result: Result
    notes: tuple[str, ...]


def plan(paths, select, extend_select, ignore, exclude, extend_exclude, config_values, cache_dir, no_cache, jobs,
         file_timeout, force_exclude, stdin_filename, progress=None) -> Plan:
    """Files given explicitly (what pre-commit and editors pass) are checked with the rest of the
    project as context, since flows cross files; a finding is reported when any step of its flow lies
    in one of them. Folders given alone are analysed on their own."""
    if no_cache and cache_dir is not None:
        raise click.UsageError("--no-cache and --cache-dir contradict each other")
    targets, buffers = with_stdin(list(paths), stdin_filename)
    with exit_on_error():
        config_file, overrides = config_arguments(config_values)
        settings = load_settings(config_file, common_folder(targets), overrides)
    if exclude:
        settings = replace(settings, exclude=split_codes(exclude), overridden=(*settings.overridden, "exclude"))
    if extend_exclude:
        settings = replace(settings, extend_exclude=settings.extend_exclude + split_codes(extend_exclude),
                           overridden=(*settings.overridden, "extend-exclude"))
    targets, notes = explicit_targets(targets, settings, force_exclude, buffers)
    folder = None if no_cache else cache_dir or settings.root / DEFAULT_CACHE_DIR
    options = Options(split_codes(select), split_codes(extend_select), split_codes(ignore), folder, jobs,
                      file_timeout, progress)
    files = [t for t in targets if t.is_file() or t in buffers]
    if not files:
        return Plan(settings, options, tuple(targets), None, buffers, tuple(notes))
    return Plan(settings, options, (settings.context, *files), tuple(relative(t, settings.root) for t in targets),
                buffers, tuple(notes))


def config_arguments(values: tuple[str, ...]) -> tuple[Path | None, dict]:
    """The `--config` values: at most one settings file, and the `KEY=VALUE` overrides merged in order."""
    files = [Path(v) for v in values if "=" not in v or Path(v).is_file()]
    if len(files) > 1:
        raise click.UsageError("--config names more than one settings file")
    for file in files:
        if not file.is_file():
            raise click.BadParameter(f"no settings file {file} (a KEY=VALUE override needs an `=`)",
                                     param_hint="--config")
    overrides: dict = {}
    for value in values:
        if "=" in value and not Path(value).is_file():
            overrides.update(parse_override(value))
    return (files[0] if files else None), overrides


def analyse(p: Plan) -> Analysed:
    """Run the pipeline as planned; a bad config or an internal failure ends the run with exit code 2."""
    with exit_on_error():
        result = run(list(p.paths), p.settings, p.options, p.buffers) if p.paths else empty()
    if p.focus is not None:
        kept = touching(result.findings, lambda path: None if in_focus(path, p.focus) else ())
        result = gated(result, kept, outside_files=len(result.findings) - len(kept))
    return Analysed(p.settings, result, p.notes)


# What the run cache calls the project as it was at a revision: one slot beside the project's own.
REVISION_SLOT = "--diff-revision"


def result_at(p: Plan, rev: str) -> Result:
    """The result of the same run over the project as it was at git revision ``rev`` (a temporary
    worktree): the same settings, the same cache of facts, the same paths where they existed."""
    root = p.settings.root
    with exit_on_error(), checkout(root, rev) as then:
        paths = [then / path.resolve().relative_to(root) for path in p.paths if path.resolve().is_relative_to(root)]
        paths = [path for path in paths if path.exists()]
        package = p.settings.package and then / p.settings.package.relative_to(root)
        settings = replace(p.settings, root=then, package=package)
        options = replace(p.options, progress=None, stands_for=(then, f"{root}@{REVISION_SLOT}"))
        return run(paths, settings, options) if paths else empty()


def analyse_paths(**arguments) -> Analysed:
    return analyse(plan(**arguments))


@contextmanager
def exit_on_error():
    try:
        yield
    except click.ClickException:   # a usage error: click says it, with exit code 2
        raise
    except ConfigError as exc:
        click.echo(f"sdblint: error: {exc}", err=True)
        sys.exit(2)
    except Exception as exc:  # exit code 2 is the contract for internal failures
        click.echo(f"sdblint: internal error: {type(exc).__name__}: {exc}", err=True)
        if os.environ.get("SDBLINT_DEBUG"):
            raise
        sys.exit(2)


def write_or_exit(path: Path, text: str) -> None:
    """Write an output file (a report, a baseline), making its folder first as ruff does; a path that
    cannot be written ends the run with 2."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        click.echo(f"sdblint: error: cannot write {path}: {exc.strerror}", err=True)
        sys.exit(2)


# The file standard input stands for when `-` is given without --stdin-filename (ruff says `-`).
STDIN_DEFAULT_NAME = Path("stdin.py")


def with_stdin(targets: list[Path], stdin_filename: Path | None) -> tuple[list[Path], dict[Path, bytes]]:
    """The targets (default: the current folder) with standard input standing for ``--stdin-filename``
    (or ``stdin.py`` in the current folder), read when `-` or --stdin-filename is given, either enough."""
    dash = Path("-")
    if dash not in targets and stdin_filename is None:
        return targets or [Path(".")], {}
    if stdin_filename is not None and targets and dash not in targets:
        raise click.UsageError("--stdin-filename with PATHS needs `-` among them for standard input")
    name = stdin_filename or STDIN_DEFAULT_NAME
    data = sys.stdin.buffer.read()
    return [name if t == dash else t for t in targets or [dash]], {name: data}


def common_folder(targets: list[Path]) -> Path:
    folders = [(t if t.is_dir() else t.parent).resolve() for t in targets]
    return Path(os.path.commonpath(folders))


def explicit_targets(targets: list[Path], settings: Settings, force_exclude: bool,
                     buffers: dict[Path, bytes]) -> tuple[list[Path], list[str]]:
    """The given paths minus files that are not Python (skipped with a note) and, under
    ``--force-exclude``, those the config excludes."""
    kept, notes = [], []
    patterns = settings.exclude + settings.extend_exclude
    for t in targets:
        if (t.is_file() or t in buffers) and t.suffix != PYTHON_SUFFIX:
            if t.suffix != STUB_SUFFIX:
                notes.append(f"skipped {t}: not a Python file")
        elif force_exclude and matches_any(relative(t, settings.root), patterns):
            continue
        else:
            kept.append(t)
    return kept, notes


def in_focus(path: str, focus: list[str]) -> bool:
    return any(path == f or f in (".", "") or path.startswith(f.rstrip("/") + "/") for f in focus)


def empty() -> Result:
    """The result when every path given was skipped."""
    return Result(0, (), (), (), (), Stats(0, 0, 0))
