"""Hierarchical settings, as ruff discovers them: in a monorepo each file gets the settings of the
closest sdblint.toml or pyproject.toml with [tool.sdblint] above it, not only the one of the run's
root. The analysis stays one project (flows cross services); what a nested config decides is what
is reported for its files: the rule selection, per-file ignores (globs from its own folder), the
excludes (from its own folder) and fail-on. Catalog entries of every config (a library's API) are
used in the whole analysis.
"""
from __future__ import annotations

from dataclasses import dataclass, fields
from pathlib import Path

from ..catalog import CatalogEntries
from .settings import Settings, config_in, load_settings


@dataclass(frozen=True)
class Scope:
    folder: str          # root-relative folder of the config, its files are those under it
    settings: Settings


def nested_scopes(files: list[Path], settings: Settings) -> tuple[Scope, ...]:
    """The configs strictly below the root that are the closest one above some of ``files``, the
    deepest first (so that the first scope a path is under is its closest). None when `--config`
    named the settings file: it then holds for every file, as in ruff."""
    if not settings.discover_nested:
        return ()
    root = settings.root.resolve()
    closest: dict[Path, Path | None] = {}   # folder -> its closest config below the root (memo)

    def config_of(folder: Path) -> Path | None:
        if folder in closest:
            return closest[folder]
        if folder == root or root not in folder.parents:
            found = None
        else:
            found = config_in(folder) or config_of(folder.parent)
        closest[folder] = found
        return found

    configs = {config_of(f.resolve().parent) for f in files} - {None}
    scopes = [Scope(c.parent.relative_to(root).as_posix(), load_settings(c, c.parent)) for c in configs]
    return tuple(sorted(scopes, key=lambda s: (-s.folder.count("/"), s.folder)))


def scope_of(path: str, scopes: tuple[Scope, ...]) -> Scope | None:
    """The scope of a root-relative path: its closest nested config, or None for the root's."""
    return next((s for s in scopes if path.startswith(s.folder + "/")), None)


def inside(path: str, scope: Scope) -> str:
    """``path`` relative to the scope's folder (what its globs are written against)."""
    return path[len(scope.folder) + 1:]


def all_extensions(settings: Settings, scopes: tuple[Scope, ...]) -> CatalogEntries:
    """The catalog entries of the root's config and of every nested one."""
    parts = [settings.extensions, *(s.settings.extensions for s in scopes)]
    return CatalogEntries(**{f.name: tuple(e for part in parts for e in getattr(part, f.name))
                             for f in fields(CatalogEntries)})
