"""The project index over all module facts: symbols, imports, classes, value paths."""
from .entity import Entity, display_path
from .index import Project

__all__ = ["Entity", "Project", "display_path"]
