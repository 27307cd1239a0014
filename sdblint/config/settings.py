"""``[tool.sdblint]`` from the nearest pyproject.toml (or ``--config``), validated strictly."""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from ..catalog import CatalogEntries, builtin_catalog, parse_entries
from ..tomlcompat import tomllib
from .errors import ConfigError

SEVERITIES = ("error", "warning", "info")
LIST_KEYS = ("select", "ignore", "extend-select", "exclude", "extend-exclude")
CATALOG_KEYS = ("proposer", "sink", "verifier", "recorder", "retrieval")
KNOWN_KEYS = set(LIST_KEYS) | {"per-file-ignores", "fail-on"} | set(CATALOG_KEYS)
OVERRIDE_SOURCE = "--config"   # where a `--config KEY=VALUE` comes from, in errors and --show-settings


@dataclass(frozen=True)
class Settings:
    root: Path
    source: str = "defaults"
    key_prefix: str = ""    # "tool.sdblint." when the settings come from a pyproject.toml
    select: tuple[str, ...] = ("SDB",)
    ignore: tuple[str, ...] = ()
    extend_select: tuple[str, ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    exclude: tuple[str, ...] = ()
    extend_exclude: tuple[str, ...] = ()
    fail_on: str = "info"
    extensions: CatalogEntries = field(default_factory=CatalogEntries)
    configured: tuple[str, ...] = ()   # the keys the config file set (the rest are defaults), for --show-settings
    overridden: tuple[str, ...] = ()   # the keys `--config KEY=VALUE` set, on top of the file
    discover_nested: bool = True       # False when --config named the file: it holds for every file
    # Without a config or a git work tree, the outermost package the checked folder is in: the root is
    # the folder above it, and it alone is the context of a file given on the command line.
    package: Path | None = None

    @property
    def context(self) -> Path:
        """What a file given on the command line is checked with: the project (the root), or the
        package it belongs to when the root is only the folder above that package, which may hold
        anything (a home folder)."""
        return self.package or self.root


# The file of sdblint's own settings (top-level keys), preferred to a pyproject.toml in the same
# folder, as ruff prefers ruff.toml.
OWN_CONFIG = "sdblint.toml"


def find_config(start: Path) -> Path | None:
    """The nearest sdblint.toml, or pyproject.toml with a [tool.sdblint] table, walking up from ``start``."""
    start = start.resolve()
    for directory in [start if start.is_dir() else start.parent, *start.parents]:
        found = config_in(directory)
        if found is not None:
            return found
    return None


def config_in(directory: Path) -> Path | None:
    """The settings file of this folder itself, if it has one."""
    own = directory / OWN_CONFIG
    if own.is_file():
        return own
    candidate = directory / "pyproject.toml"
    if candidate.is_file():
        try:
            text = candidate.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            raise ConfigError(str(candidate), "(file)", f"valid TOML ({exc})") from exc
        if "sdblint" not in text:
            return None   # no [tool.sdblint] table, whatever else it holds (a project template's placeholders)
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(str(candidate), "(file)", f"valid TOML ({exc})") from exc
        tool = data.get("tool", {})
        if isinstance(tool, dict) and "sdblint" in tool:
            return candidate
    return None


def _string_list(value, source: str, key: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(source, key, f"a list of strings, got {value!r}")
    return tuple(value)


def defaults_for(start: Path) -> Settings:
    """The settings of a project without a config. Its root is the enclosing git work tree; else,
    inside a package, the folder above its outermost package, where Python imports it from (so that
    modules get the names the project's imports use: `app/fix.py` is `app.fix`, and its
    `from app.llm import ask` is followed); else ``start``'s folder. Reported paths are relative to it, so a SARIF upload and
    a baseline see the same paths whichever folder sdblint was pointed at."""
    folder = (start if start.is_dir() else start.parent).resolve()
    work_tree = next((d for d in [folder, *folder.parents] if (d / ".git").exists()), None)
    if work_tree is not None:
        return Settings(root=work_tree)
    package = outermost_package(folder)
    return Settings(root=package.parent, package=package) if package else Settings(root=folder)


def outermost_package(folder: Path) -> Path | None:
    """The highest folder that holds an ``__init__.py`` and reaches ``folder`` through folders that
    all do; None when ``folder`` is no package."""
    package = None
    while (folder / "__init__.py").is_file() and folder.parent != folder:
        package, folder = folder, folder.parent
    return package


def load_settings(config: Path | None, start: Path, overrides: dict | None = None) -> Settings:
    """Settings from an explicit file, or the nearest pyproject.toml, or defaults; then ``overrides``
    (`--config KEY=VALUE`, a table of [tool.sdblint] keys) on top."""
    path = config or find_config(start)
    overrides = overrides or {}
    if overrides:   # checked on their own first, so that an error names the command line
        settings_from(overrides, OVERRIDE_SOURCE, "", Path("."))
    if path is None:
        settings = defaults_for(start)
        if not overrides:
            return settings
        base = settings_from(overrides, OVERRIDE_SOURCE, "", settings.root)
        return replace(base, package=settings.package, overridden=tuple(sorted(overrides)))
    source = str(path)
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(source, "(file)", f"a readable file ({exc.strerror})") from exc
    except UnicodeDecodeError as exc:   # TOML is UTF-8 text
        raise ConfigError(source, "(file)", f"UTF-8 text (byte {exc.start} is not: {exc.reason})") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(source, "(file)", f"valid TOML ({exc})") from exc
    prefix = "tool.sdblint." if path.name == "pyproject.toml" else ""
    tool = data.get("tool", {})
    if not isinstance(tool, dict):
        raise ConfigError(source, "tool", "a table")
    table = tool.get("sdblint", {}) if prefix else data
    if not isinstance(table, dict):
        raise ConfigError(source, "tool.sdblint", "a table")
    settings = settings_from({**table, **overrides}, source, prefix, Path(path).resolve().parent)
    return replace(settings, overridden=tuple(sorted(overrides)), discover_nested=config is None)


def parse_override(text: str) -> dict:
    """One `--config KEY=VALUE`: a line of TOML setting a [tool.sdblint] key (`select = ["SDB1"]`)."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(OVERRIDE_SOURCE, text, f"a file or a TOML line such as 'fail-on = \"error\"' ({exc})") from exc


def settings_from(table: dict, source: str, prefix: str, root: Path) -> Settings:
    """The settings of one [tool.sdblint] table (or sdblint.toml), validated strictly."""
    for key in table:
        if key not in KNOWN_KEYS:
            raise ConfigError(source, prefix + key, f"one of {', '.join(sorted(KNOWN_KEYS))} (unknown key)")
    values = {k.replace("-", "_"): _string_list(table[k], source, prefix + k) for k in LIST_KEYS if k in table}
    pfi = table.get("per-file-ignores", {})
    if not isinstance(pfi, dict):
        raise ConfigError(source, prefix + "per-file-ignores", "a table of glob = [codes]")
    per_file = tuple((glob, _string_list(codes, source, f"{prefix}per-file-ignores.{glob}")) for glob, codes in pfi.items())
    fail_on = table.get("fail-on", "info")
    if fail_on not in SEVERITIES:
        raise ConfigError(source, prefix + "fail-on", f"one of {', '.join(SEVERITIES)}, got {fail_on!r}")
    extensions = parse_entries({k: table[k] for k in CATALOG_KEYS if k in table}, source, prefix,
                               set(builtin_catalog().categories))
    return Settings(root=root, source=source, key_prefix=prefix, per_file_ignores=per_file,
                    fail_on=fail_on, extensions=extensions, configured=tuple(sorted(table)), **values)
