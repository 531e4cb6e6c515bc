"""Search requests' ``pagination`` and ``projection``, as the EnOS overview describes them.

Pagination: ``{"pageNo": 1, "pageSize": 10}``, pages from 1, at most 200 per page, no sorters
for devices and products. Projection: a list of field paths to keep (``"deviceName.defaultValue"``,
``"deviceAttributes.distances[*].towards"``); everything else is cropped from each item. A ``*``
part stands for any field (the API FAQ: ``"deviceName.*"``, ``"deviceAttributes.*.towards"``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .errors import invalid

DEFAULT_PAGE_SIZE = 10
MAX_PAGE_SIZE = 200
#: EnOS reads pageNo as a Java int
MAX_PAGE_NO = 2**31 - 1


@dataclass(frozen=True, slots=True)
class Page:
    number: int = 1
    size: int = DEFAULT_PAGE_SIZE

    @property
    def start(self) -> int:
        return (self.number - 1) * self.size

    def answer(self, total: int) -> dict[str, Any]:
        """The response's top-level ``pagination``."""
        return {"sortedBy": None, "pageNo": self.number, "pageSize": self.size, "totalSize": total}


def page(value: Any) -> Page:
    if value is None:
        return Page()
    if not isinstance(value, dict):
        raise invalid("pagination", 'pagination must be an object like {"pageNo":1,"pageSize":10}')
    number = _positive(value.get("pageNo", 1), "pagination.pageNo")
    if number > MAX_PAGE_NO:
        raise invalid("pagination.pageNo", f"pagination.pageNo must be at most {MAX_PAGE_NO}")
    size = _positive(value.get("pageSize", DEFAULT_PAGE_SIZE), "pagination.pageSize")
    if size > MAX_PAGE_SIZE:
        raise invalid("pagination.pageSize", f"pagination.pageSize must be at most {MAX_PAGE_SIZE}")
    if value.get("sorters"):
        raise invalid("pagination.sorters", "sorting is not supported by this API")
    return Page(number, size)


def _positive(value: Any, field: str) -> int:
    if value is None:
        return 1 if field.endswith("pageNo") else DEFAULT_PAGE_SIZE
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise invalid(field, f"{field} must be an integer of at least 1")
    return value


# -- projection ---------------------------------------------------------------------------------
Tree = dict[str, Any]  # field -> subtree, or True to keep the whole value


def projection(value: Any) -> Tree | None:
    """Compile a projection list into a tree; ``None`` keeps everything."""
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(p, str) and p.strip() for p in value):
        raise invalid("projection", "projection must be a list of field names")
    if not value:
        return None
    tree: Tree = {}
    for path in value:
        node = tree
        parts = path.strip().replace("[*]", "").split(".")
        if any(not part for part in parts):
            raise invalid("projection", f"projection path {path!r} is not a field path")
        for part in parts[:-1]:
            child = node.get(part)
            if child is True:
                break
            node = node.setdefault(part, {})
        else:
            node[parts[-1]] = True
    return tree


#: the projection part that stands for any field of an object
ANY_FIELD = "*"


def crop(item: Any, tree: Tree | None) -> Any:
    if tree is None:
        return item
    if isinstance(item, list):
        return [crop(element, tree) for element in item]
    if not isinstance(item, dict):
        return item
    out: dict[str, Any] = {}
    star = tree.get(ANY_FIELD)
    if star is None:
        for name, sub in tree.items():
            if name in item:
                out[name] = item[name] if sub is True else crop(item[name], sub)
        return out
    for name, value in item.items():  # every field, each cropped by its own path and the star's
        sub = _union(tree.get(name), star)
        out[name] = value if sub is True else crop(value, sub)
    return out


def _union(named: Tree | bool | None, star: Tree | bool) -> Tree | bool:
    """What keeps a field that a path names and ``*`` also covers: whatever either keeps."""
    if named is None:
        return star
    if named is True or star is True:
        return True
    assert isinstance(named, dict) and isinstance(star, dict)
    keys = {**named, **star}
    return {key: _union(named.get(key), star[key]) if key in star else named[key] for key in keys}
