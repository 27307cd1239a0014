"""`check --show-settings` and `check --show-files`: what a run would use and check, without running it."""
from __future__ import annotations

import json
from pathlib import Path

import click

from ..checks import load_rules
from ..config.selection import COMMAND_LINE
from ..config.settings import OVERRIDE_SOURCE
from ..discover import discover, printable
from ..config.hierarchy import nested_scopes, scope_of
from ..pipeline import excluded_by_scope, relative, selection_for
from ..report import ReportView
from .analysis import Plan, exit_on_error

CONFIG_KEYS = ("select", "extend-select", "ignore", "per-file-ignores", "exclude", "extend-exclude", "fail-on")


def files_of(p: Plan) -> tuple[list[Path], tuple[tuple[Path, str], ...]]:
    """The files a run would parse, and the paths it would report as not checked."""
    settings = p.settings
    found = discover(list(p.paths), settings.root, settings.exclude + settings.extend_exclude)
    files = [*found.files, *(f for f in p.buffers if not f.exists())]
    scopes = nested_scopes(files, settings)
    return [f for f in files if not excluded_by_scope(relative(f, settings.root), scopes)], found.problems


def show_files(p: Plan, as_json: bool) -> None:
    """Every file the run would parse, from the current directory, one per line (or a JSON list);
    the paths it would report as not checked, on stderr."""
    settings = p.settings
    files, problems = files_of(p)
    view = ReportView(settings.root, Path.cwd())
    shown = [view.shown(relative(f, settings.root)) for f in files]
    click.echo(json.dumps(shown, indent=2) if as_json else "\n".join(shown), nl=bool(shown) or as_json)
    for path, why in problems:
        click.echo(f"sdblint: warning: skipped {printable(view.shown(relative(path, settings.root)))}: {why}", err=True)


def show_settings(p: Plan, as_json: bool) -> None:
    """The resolved settings, each with where its value came from (TOML-like, one per line; or a JSON
    object of key -> {value, origin}). For one file given (`--show-settings PATH`), the settings of its
    closest config; otherwise the root's, and the nested configs the run's files fall under."""
    s, o = p.settings, p.options
    with exit_on_error():
        scopes = nested_scopes(files_of(p)[0], s)
    explicit = [rel for rel in (p.focus or ()) if (s.root / rel).is_file() or Path(rel).is_file()]
    own = scope_of(explicit[0], scopes) if len(explicit) == 1 else None
    root_origin = ("the config's folder" if s.source not in ("defaults", OVERRIDE_SOURCE) else
                   "the git work tree" if (s.root / ".git").exists() else
                   f"the folder above the outermost package, {s.package.name}" if s.package else "the folder checked")
    rows = [("root", str(s.root), root_origin)]
    if own is not None:
        s = own.settings
        rows.append(("config", s.source, f"the closest config above {explicit[0]}"))
    else:
        rows.append(("config", s.source, f"the config of {explicit[0]}" if explicit else ""))
        if scopes:
            rows.append(("nested configs", {sc.folder: sc.settings.source for sc in sorted(scopes, key=lambda x: x.folder)},
                         "the closest config of each file under these folders"))
    for key in CONFIG_KEYS:
        value = getattr(s, key.replace("-", "_"))
        value = dict((glob, list(codes)) for glob, codes in value) if key == "per-file-ignores" else value
        origin = COMMAND_LINE if key in s.overridden else s.source if key in s.configured else "default"
        rows.append((key, list(value) if isinstance(value, tuple) else value, origin))
    for key, value in (("--select", o.select), ("--extend-select", o.extend_select), ("--ignore", o.ignore)):
        if value:
            rows.append((key, list(value), COMMAND_LINE))
    ext = s.extensions
    rows.append(("catalog extensions", f"{len(ext.proposers)} proposers, {len(ext.sinks)} sinks, "
                 f"{len(ext.verifiers)} verifiers, {len(ext.recorders)} recorders", s.source if ext.any() else "none"))
    with exit_on_error():
        selection = selection_for(s, o, load_rules())
    rows.append(("rules enabled", sorted(selection.codes), "resolved from the above"))
    rows.append(("cache-dir", str(o.cache_dir) if o.cache_dir else "none (--no-cache)", ""))
    rows.append(("jobs", o.jobs or "one per core", ""))
    rows.append(("file-timeout", o.file_timeout, ""))
    if as_json:
        click.echo(json.dumps({key: {"value": value, "origin": origin} for key, value, origin in rows}, indent=2))
        return
    width = max(len(k) for k, _, _ in rows)
    for key, value, origin in rows:
        click.echo(f"{key:<{width}} = {json.dumps(value)}" + (f"   # {origin}" if origin else ""))
