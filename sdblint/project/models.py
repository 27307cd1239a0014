"""Model classes: pydantic-style schemas and enums, and what their fields admit."""
from __future__ import annotations

from ..facts import Arg, Flow
from .entity import class_of_argument


class Models:
    """Mixin of :class:`~sdblint.project.index.Project`."""

    def init_of(self, class_key: str) -> str | None:
        return self.method(class_key, "__init__")

    def schema_class(self, argument: str) -> str | None:
        """The project class a call suffix names (see :func:`~sdblint.project.entity.class_argument`)."""
        key = class_of_argument(argument)
        return key if key in self.classes else None

    def is_pydantic(self, class_key: str) -> bool:
        return self.is_kind_of(class_key, self.catalog.schema_bases)

    def is_enum(self, class_key: str) -> bool:
        return self.is_kind_of(class_key, self.catalog.enum_bases)

    def generated_fields(self, class_key: str) -> tuple[str, ...] | None:
        """The fields a generated constructor sets, in order (bases first), or None when the
        class's constructor is not generated from its fields."""
        language = self.catalog.language
        chain = list(reversed(self.mro(class_key)))
        generated = self.is_kind_of(class_key, language.generated_init_bases) or any(
            pt.matches(path) for k in chain for d in self.classes[k].decorators if d
            for path in self.dotted_paths(self.class_module[k], d) for pt in language.generated_init_decorators)
        if not generated:
            return None
        return tuple(dict.fromkeys(name for k in chain for name, _ in self.classes[k].fields))

    def field_model(self, class_key: str, field: str) -> str | None:
        """The pydantic model a field holds (`steps: list[Step]`), for checks on nested fields."""
        for key in self.mro(class_key):
            for name, annotation in self.classes[key].fields:
                if name == field and annotation and annotation != "literal":
                    for kind in annotation.split("|"):
                        entity = self.resolve_dotted(self.class_module[key], kind)
                        if entity.kind == "class" and self.is_pydantic(entity.key):
                            return entity.key
                    return None
        return None

    def field_is_closed(self, class_key: str, field: str) -> bool:
        """Is ``field`` of a model typed as a Literal or an Enum (an allow-list)?"""
        for key in self.mro(class_key):
            for name, annotation in self.classes[key].fields:
                if name != field:
                    continue
                if annotation == "literal":
                    return True
                entities = [self.resolve_dotted(self.class_module[key], kind) for kind in annotation.split("|") if kind]
                return bool(entities) and all(e.kind == "class" and self.is_enum(e.key) for e in entities)
        return False

    def dumped_model(self, a: Arg) -> tuple[Flow, ...]:
        """`**req.model_dump()`: the model ``req`` whose fields are handed on one by one."""
        call = self.calls.get(a.flows[0].src) if len(a.flows) == 1 and a.flows[0].alias == "" else None
        if call is None or call.callee_kind != "attr" or call.method not in self.catalog.field_dumps:
            return ()
        return tuple(f for f in call.receiver if f.alias is not None)
