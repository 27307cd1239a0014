"""Import statements to (local name, absolute dotted target) bindings."""
from __future__ import annotations

import libcst as cst

from .syntax import dotted


def imports_of(node: cst.Import | cst.ImportFrom, package: str) -> dict[str, str]:
    """What an import statement binds; relative imports resolve against ``package``."""
    if isinstance(node, cst.Import):
        bound = {}
        for alias in node.names:
            name = dotted(alias.name) or ""
            if alias.asname is not None:
                bound[alias.asname.name.value] = name
            else:
                top = name.split(".")[0]
                bound[top] = top
        return bound
    base = dotted(node.module) if node.module is not None else ""
    level = len(node.relative)
    if level:
        parts = package.split(".") if package else []
        if level > 1:
            parts = parts[: len(parts) - (level - 1)]
        base = ".".join(p for p in [*parts, base or ""] if p)
    if isinstance(node.names, cst.ImportStar):
        return {}
    bound = {}
    for alias in node.names:
        name = alias.name.value if isinstance(alias.name, cst.Name) else dotted(alias.name)
        local = alias.asname.name.value if alias.asname is not None else name
        bound[local] = f"{base}.{name}" if base else name
    return bound
