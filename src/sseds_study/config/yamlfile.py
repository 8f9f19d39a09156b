"""YAML files (profiles, table specs): read through ``fileio.read_text``, parsed strictly.

Beyond PyYAML's safe loading, a document is refused, in one line naming the file and line, when

* a mapping gives one key twice (YAML says keys are unique; PyYAML would keep the last silently);
* its aliases expand to more than ``MAX_NODES`` values (an alias bomb: a few lines that stand for
  billions of values, which any later walk over the value, or a message quoting it, would never finish);
* an alias refers to the value that contains it (a recursive value no setting can hold);
* a number is too long for Python to convert (more than 4300 digits).

Merge keys (``<<: *base``) still work: a key merged in and then given again is an override, not a
duplicate.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import ConstructorError
from yaml.nodes import MappingNode, Node, SequenceNode

from ..errors import ConfigError, show
from ..fileio import read_text

MAX_NODES = 100_000  # a profile holds hundreds of values; an expansion beyond this is refused
_MERGE = "tag:yaml.org,2002:merge"


class _Refused(ConstructorError):
    """A document the strict loader refuses (its message is the whole explanation)."""

    def __init__(self, node: Node, problem: str):
        super().__init__(problem=problem, problem_mark=node.start_mark)


class StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate keys, alias bombs, recursive aliases and overlong numbers."""

    def construct_document(self, node):
        _check_size(node)
        return super().construct_document(node)

    def construct_mapping(self, node, deep=False):
        if isinstance(node, MappingNode):
            seen: dict[Any, int] = {}
            for key_node, _ in node.value:
                if key_node.tag == _MERGE:
                    continue
                key = self.construct_object(key_node, deep=True)
                try:
                    first = seen.get(key)
                except TypeError:  # an unhashable key: PyYAML refuses it below
                    continue
                if first is not None:
                    raise _Refused(key_node, f"key {show(key)} is given twice (first on line {first}); give each "
                                   "key once")
                seen[key] = key_node.start_mark.line + 1
        return super().construct_mapping(node, deep=deep)

    def construct_yaml_int(self, node):
        try:
            return super().construct_yaml_int(node)
        except ValueError:
            raise _Refused(node, f"the number {show(node.value)} is too long (more than 4300 digits)") from None


StrictLoader.add_constructor("tag:yaml.org,2002:int", StrictLoader.construct_yaml_int)


def _check_size(root: Node) -> None:
    """Refuse a document whose aliases expand to more than MAX_NODES values, or refer to themselves.
    Each node's expanded size is computed once (aliases are shared nodes), so this is linear in the
    text, however large the expansion."""
    size: dict[int, int] = {}
    stack: list[tuple[Node, bool]] = [(root, False)]
    open_nodes: set[int] = set()
    while stack:
        node, done = stack.pop()
        if isinstance(node, SequenceNode):
            children = node.value
        elif isinstance(node, MappingNode):
            children = [n for pair in node.value for n in pair]
        else:
            size[id(node)] = 1
            continue
        if done:
            open_nodes.discard(id(node))
            size[id(node)] = total = 1 + sum(size[id(c)] for c in children)
            if total > MAX_NODES:
                raise _Refused(node, f"this value expands to more than {MAX_NODES:,} values through its aliases "
                               "(*name); write the values out, or use fewer aliases")
            continue
        if id(node) in size:
            continue
        open_nodes.add(id(node))
        stack.append((node, True))
        for child in children:
            if id(child) in open_nodes:
                raise _Refused(child, "an alias (*name) refers to the value that contains it; a setting cannot "
                               "hold itself")
            if id(child) not in size:
                stack.append((child, False))


def _one_line(path, exc: yaml.YAMLError) -> str:
    """PyYAML's multi-line report as one line: the file, line and column, and the problem."""
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    where = f"{path}, line {mark.line + 1}, column {mark.column + 1}" if mark is not None else str(path)
    problem = getattr(exc, "problem", None) or str(exc)
    context = getattr(exc, "context", None)
    if isinstance(exc, _Refused):
        return f"{where}: {problem}"
    text = f"{problem} ({context})" if context else problem
    return f"{where}: not valid YAML: {' '.join(str(text).split())}"


def parse_yaml(text: str, path) -> Any:
    """Parse YAML text (from ``path``, named in errors) with the strict loader; ConfigError in one line."""
    try:
        return yaml.load(text, Loader=StrictLoader)  # noqa: S506 - StrictLoader is a SafeLoader
    except yaml.YAMLError as exc:
        raise ConfigError(_one_line(path, exc)) from None
    except RecursionError:
        raise ConfigError(f"{path}: not valid YAML: nested too deeply") from None


def load_yaml(path, what: str = "config file", empty_ok: bool = False) -> dict[str, Any]:
    """A YAML file that holds a mapping (``what`` names its role in messages: a profile, a table spec).
    An empty file is ``{}`` when ``empty_ok``, else refused."""
    path = Path(path)
    data = parse_yaml(read_text(path, what), path)
    if data is None and empty_ok:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping at the top level; got {show(data)}")
    return data
