"""Constant text of strings: what an f-string, a `+` chain or a URL constant is known to start
with, and what that says about the values after it (a fixed URL host)."""
from __future__ import annotations

from dataclasses import replace

import libcst as cst

from ..facts import Flow, Guard
from ..nodes import is_module_scope
from .keys import constant_key
from .settings import Frame
from .syntax import ENV_LOOKUPS, PATH_JOINS, UNKNOWN_TEXT, URL_MARK, common_text, may_be_url, string_value
from .values import derive


# Expressions whose text may come from definitions elsewhere in the module (names are the walker's own).
CONFIGURED = (cst.Attribute, cst.Call, cst.BooleanOperation, cst.IfExp)


class Texts:
    """Mixin of :class:`~sdblint.extract.walker.Walker`: the constant text of string expressions."""

    def string_flows(self, node, prefix: str) -> tuple[tuple[Flow, ...], str]:
        """Flows of an f-string or of adjacent string literals (`f"{BASE}v1/" f"?q={q}"`), each
        remembering the constant text before it; and the text after the whole string ("{}" for
        each value not known)."""
        if isinstance(node, cst.ConcatenatedString):
            left, prefix = self.string_flows(node.left, prefix)
            right, prefix = self.string_flows(node.right, prefix)
            return left + right, prefix
        if not isinstance(node, cst.FormattedString):
            return (), prefix + (string_value(node) or UNKNOWN_TEXT)
        flows = []
        base: tuple[Flow, ...] = ()   # the value the string starts with (`f"{self.base_url}/{path}"`)
        for part in node.parts:
            if isinstance(part, cst.FormattedStringText):
                prefix += part.value
                continue
            part_flows = derive(self.expr(part.expression))
            flows.extend(self.after_url_prefix(prefix, part_flows, part, base))
            if not prefix:
                base = part_flows
            prefix += self.constant_text(part.expression)
        return tuple(flows), prefix

    def literal_prefix(self, node) -> str:
        """The known constant text of an expression: string literals, URL constants, and `+` of
        them (`HOST + "/search?q=" + term`, `base + "/api/chat"`), "{}" for each value not known."""
        chain = []   # `a + b + c` nests to the left: each node's text extends its left operand's
        while isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Add) and id(node) not in self.prefix_memo:
            chain.append(node)
            node = node.left
        prefix = self.prefix_memo.get(id(node))
        if prefix is None:
            prefix = self.constant_text(node)
        for binary in reversed(chain):
            right = self.constant_text(binary.right)
            prefix += right[len(UNKNOWN_TEXT):] if prefix.endswith(UNKNOWN_TEXT) and right.startswith(UNKNOWN_TEXT) else right
            self.prefix_memo[id(binary)] = prefix
        return prefix

    def constant_text(self, node) -> str:
        """The text of a string literal or URL constant, else the marker of a value not known."""
        if isinstance(node, (cst.FormattedString, cst.ConcatenatedString)):
            return self.quiet_text(node)
        known = string_value(node)
        if known is None and isinstance(node, cst.Call) and self.dotted(node.func) in ENV_LOOKUPS and len(node.args) == 2:
            known = string_value(node.args[1].value)   # `os.getenv("API_BASE", "https://api.x.com/v1")`
        if known is None and isinstance(node, cst.Subscript) and constant_key(node):
            known = self.literal_dict_texts(node.value).get(constant_key(node))   # `details["url"]`
        if known is None and isinstance(node, cst.Name):
            texts = [self.def_texts.get(n) for n in self.state.defs.get(node.value, ())]
            if texts and all(t is not None for t in texts):
                known = common_text(texts)
        if known is None:
            known = self.url_constants.get(self.dotted(node) or "")
        if known is None and isinstance(node, cst.Name) and node.value not in self.state.defs:
            known = self.module_texts.get(node.value)
        if known is None:
            known = self.joined_path_text(node)
        if known is None and isinstance(node, CONFIGURED) and self.settings is not None:
            # `self.config.base_url`, `self._endpoint()`, `url or DEFAULT`: what the module's
            # classes, methods and constants fix, wherever they are defined.
            frame = Frame(self.scope.class_name, self.function_nodes.get(self.scope.key), self.scope.self_name)
            known = self.settings.text(node, frame)
        return UNKNOWN_TEXT if known is None else known

    def joined_path_text(self, node) -> str | None:
        """`os.path.join(root, "notes.md")`, `Path(root, name)`, `root / "notes.md"`: a path whose
        text ends as its last part does ("{}/notes.md")."""
        if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Divide):
            return f"{UNKNOWN_TEXT}/{self.constant_text(node.right)}"
        if not (isinstance(node, cst.Call) and self.dotted(node.func) in PATH_JOINS and node.args) \
                or any(a.star or a.keyword for a in node.args):
            return None
        last = self.constant_text(node.args[-1].value)
        return last if len(node.args) == 1 else f"{UNKNOWN_TEXT}/{last}"

    def quiet_text(self, node) -> str:
        """The text of an f-string as :meth:`string_flows` computes it, without visiting it again."""
        if isinstance(node, cst.ConcatenatedString):
            return self.quiet_text(node.left) + self.quiet_text(node.right)
        if not isinstance(node, cst.FormattedString):
            return string_value(node) or UNKNOWN_TEXT
        return "".join(part.value if isinstance(part, cst.FormattedStringText)
                       else self.constant_text(part.expression) for part in node.parts)

    def after_url_prefix(self, prefix: str, flows: tuple[Flow, ...], node, base: tuple[Flow, ...] = ()) -> tuple[Flow, ...]:
        """After "https://host/" a value can steer the path or query, not the host: the flows
        remember the constant URL text before them (whether it fixes the host is catalog data,
        `[url] fixed_host` in rules/sinks.toml). After a value the code holds and a "/"
        (`f"{self.base_url}/{path}"`, ``base`` its flows) the same holds if that value turns out to
        hold no model output (a "base" guard, checked once propagation knows what is tainted)."""
        if URL_MARK in prefix or (prefix.startswith("/") and not prefix.startswith("//")):
            # A relative URL ("/agents/{name}") goes to the host the client was built for.
            guard = Guard("prefix", self.line(node), prefix=prefix)
        elif base and prefix.startswith(f"{UNKNOWN_TEXT}/") and not prefix.startswith(f"{UNKNOWN_TEXT}//"):
            guard = Guard("base", self.line(node), prefix=prefix, container=tuple(sorted({f.src for f in base})))
        else:
            return flows
        return tuple(replace(f, guards=f.guards + (guard,)) for f in flows)

    def remember_url(self, target, value) -> None:
        """Module constants, class fields and `self.` attributes holding a URL (`BASE = "https://x/"`,
        `API = BASE + "v2/"`, `self.endpoint = "https://x/query"`)."""
        if isinstance(target, cst.Name) and is_module_scope(self.scope.key) and value is not None \
                and string_value(value) is not None:
            self.module_texts[target.value] = string_value(value)   # `ISSUE_QUERY = """query ..."""`
        text = self.literal_prefix(value) if value is not None else None
        if text is None or not may_be_url(text):
            return
        if isinstance(target, cst.Attribute) and isinstance(target.value, cst.Name) \
                and target.value.value == self.scope.self_name and self.scope.class_name:
            self.url_constants[f"self.{target.attr.value}"] = text
            return
        if not isinstance(target, cst.Name):
            return
        if self.scope.is_class_body:
            self.url_constants[f"self.{target.value}"] = text
            self.url_constants[f"cls.{target.value}"] = text
        elif is_module_scope(self.scope.key):
            self.url_constants[target.value] = text
