"""Where Python finds a project's modules: which folders are on ``sys.path``, and so which project
module an absolute import written in a given module names.

Python finds `import openai` in the folders on ``sys.path``, in order: a script's own folder, the
standard library, then the installed packages and the project's import roots. sdblint sees only
the project, so a project module is what an import names only where Python would pick it:
- from a script's own folder (a folder outside every package): `from utils import x` in
  `scripts/run.py` beside `scripts/utils.py`;
- from an import root: the checked folder, a `src/` folder, or a folder that holds packages (a
  project checked from above, an unpacked wheel), unless a standard library module has the name.
A folder without `__init__.py` inside a package (a PEP 420 namespace folder) is neither: its
`pkg/types/openai.py` is `pkg.types.openai`, never `openai`.
"""
from __future__ import annotations

import sys
from dataclasses import dataclass

STDLIB = frozenset(sys.stdlib_module_names)
# Found before any folder on `sys.path`, even a script's own.
BUILTIN = frozenset(sys.builtin_module_names)
SOURCE_ROOT = "src"


def folders(path: str) -> list[str]:
    """The folders a relative path is in, outermost first ("" is the checked folder)."""
    parts = path.split("/")[:-1]
    return ["", *("/".join(parts[: i + 1]) for i in range(len(parts)))]


def dotted_below(folder: str, path: str) -> str | None:
    """The name a module file has when ``folder`` is on ``sys.path`` (None if no import names it)."""
    rel = path[len(folder) + 1:] if folder else path
    parts = rel[: -len(".py")].split("/")
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts) if parts and all(p.isidentifier() for p in parts) else None


@dataclass(frozen=True)
class Layout:
    """The modules each import root makes importable, and the script folder of each module."""

    from_roots: dict[str, tuple[tuple[str, str], ...]]   # importable name -> (root folder, module)
    script_folder: dict[str, str]                        # module -> its folder, when run as a script
    in_folder: dict[tuple[str, str], str]                # (folder, name below it) -> module
    folder_of: dict[str, str]                            # module -> its folder

    @classmethod
    def of(cls, paths: dict[str, str], imported: set[str]) -> "Layout":
        """``paths`` maps each module to its relative path; ``imported`` holds every absolute
        import target written in the project, with its prefixes."""
        packages = {path.rpartition("/")[0] for path in paths.values() if path.rsplit("/", 1)[-1] == "__init__.py"}
        every = {f for path in paths.values() for f in folders(path)}
        in_package = {f for f in every if any(g in packages for g in lineage(f))}
        holders = {p.rpartition("/")[0] for p in packages if p}
        roots = {""} | {f for f in every - in_package if f.rsplit("/", 1)[-1] == SOURCE_ROOT or f in holders}
        from_roots: dict[str, list[tuple[str, str]]] = {}
        in_folder: dict[tuple[str, str], str] = {}
        folder_of: dict[str, str] = {}
        for module, path in sorted(paths.items()):
            folder_of[module] = path.rpartition("/")[0]
            for f in folders(path):
                name = dotted_below(f, path)
                if name is None:
                    continue
                in_folder[f, name] = module
                if f in roots:
                    from_roots.setdefault(name, []).append((f, module))

        def imported_as_package(folder: str) -> bool:
            """A namespace folder the project imports by its dotted name is a package, not a folder
            of scripts: its files are imported from a root, not run beside each other."""
            return any(dotted_below(root, folder + "/__init__.py") in imported
                       for root in lineage(folder) if root in roots and root != folder)

        script_folder = {module: folder for module, folder in folder_of.items()
                         if folder not in in_package and folder not in roots and not imported_as_package(folder)}
        return cls({k: tuple(v) for k, v in from_roots.items()}, script_folder, in_folder, folder_of)

    def find(self, dotted: str, importer: str | None) -> str | None:
        """The project module ``import dotted`` names when written in module ``importer``."""
        folder = self.script_folder.get(importer) if importer else None
        if folder is not None and dotted.split(".")[0] not in BUILTIN:
            found = self.in_folder.get((folder, dotted))
            if found is not None and found != importer:
                return found
        # The standard library comes before the import roots on `sys.path` (the checked folder
        # itself aside: a module at its top is what its own imports name).
        stdlib = dotted.split(".")[0] in STDLIB
        candidates = [c for c in self.from_roots.get(dotted, ()) if not (stdlib and c[0])]
        if not candidates:
            return None
        here = self.folder_of.get(importer, "") if importer else ""
        # The importer's own import root first (the deepest that holds it), then any other.
        return min(candidates, key=lambda c: (not encloses(c[0], here), -len(c[0]), len(c[1]), c[1]))[1]


def lineage(folder: str) -> list[str]:
    """A folder and the folders it is in, outermost first."""
    return folders(folder + "/x") if folder else [""]


def encloses(folder: str, inner: str) -> bool:
    return not folder or inner == folder or inner.startswith(folder + "/")
