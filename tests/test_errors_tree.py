"""``station/errors.py`` draws every exception class Station defines, under its real parent."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re

import station
from station import errors


def defined_exceptions() -> dict[type[BaseException], str]:
    """Every exception class defined in a module of the ``station`` package, with its module."""
    found: dict[type[BaseException], str] = {}
    for info in pkgutil.walk_packages(station.__path__, "station."):
        if ".migrations" in info.name:
            continue
        module = importlib.import_module(info.name)
        for value in vars(module).values():
            if (
                inspect.isclass(value)
                and issubclass(value, BaseException)
                and value.__module__ == module.__name__
            ):
                found[value] = module.__name__
    return found


def drawn() -> dict[str, tuple[str, str | None]]:
    """Name → (module, parent drawn above it, or the base named in brackets) from the tree."""
    doc = errors.__doc__ or ""
    entries: dict[str, tuple[str, str | None]] = {}
    stack: list[tuple[int, str]] = []
    for line in doc.splitlines():
        outside = re.match(r"^(\w+)\((\w+)\) \(([\w.]+)\)", line)
        if outside:
            entries[outside[1]] = (outside[3], outside[2])
            continue
        inside = re.match(r"^([│ ├└─]*)(\w+) \(([\w.]+)\)", line)
        if not inside:
            continue
        depth = len(inside[1])
        while stack and stack[-1][0] >= depth:
            stack.pop()
        entries[inside[2]] = (inside[3], stack[-1][1] if stack else None)
        stack.append((depth, inside[2]))
    return entries


def test_every_exception_class_is_drawn_with_its_module_and_parent() -> None:
    tree = drawn()
    for cls, module in defined_exceptions().items():
        assert cls.__name__ in tree, f"{cls.__name__} ({module}) is missing from errors.py's tree"
        drawn_module, drawn_parent = tree[cls.__name__]
        assert drawn_module == module, cls.__name__
        if cls is not errors.StationError:
            assert drawn_parent == cls.__bases__[0].__name__, cls.__name__


def test_the_tree_names_no_class_that_is_gone() -> None:
    names = {cls.__name__ for cls in defined_exceptions()}

    assert set(drawn()) <= names
