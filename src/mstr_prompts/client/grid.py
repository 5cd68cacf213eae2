"""Joining the pages of a v2 report grid into one reply.

``GET /api/v2/reports/{id}/instances/{instanceId}`` pages by rows (``offset``,
``limit``; ``data.paging``).  Each page is a whole reply: its
``definition.grid.rows[k].elements`` list only the elements **that page** shows, and
``data.headers.rows`` index into that page's own lists.  MicroStrategy's recordings in
mstrio-py show it: the Iris report in pages of 70 and 80 rows has "Species" elements
``[setosa, versicolor]`` on the first page and ``[versicolor, virginica]`` on the
second, each indexed from 0
(https://github.com/MicroStrategy/mstrio-py/tree/bebde9b6d00cb9452d103d5fe88d55be70e700e8/tests/resources/api-responses/reports,
``report_instance_id.json`` and ``report_instance_id2.json``).  Appending the second
page's header rows as they are would point its rows at the first page's elements.

:func:`merge_page` appends a page to the first one: each element is added to the row
attribute's list once (the same ``id`` is the same element), the page's header indexes
are rebased onto the joined list, and the metric values are appended.  Column headers
must be the same elements on every page (the grid pages by rows); a page whose columns
differ cannot be joined and raises :class:`~mstr_prompts.client.TransportError`.
"""

from __future__ import annotations

import json
from typing import Any

from .errors import TransportError

__all__ = ["merge_page"]


def _grid_axis(reply: dict[str, Any], axis: str) -> list[Any] | None:
    definition = reply.get("definition")
    grid = definition.get("grid") if isinstance(definition, dict) else None
    items = grid.get(axis) if isinstance(grid, dict) else None
    return items if isinstance(items, list) else None


def _identity(element: Any) -> str:
    """What makes two elements the same: the ``id`` when there is one, else everything."""
    if isinstance(element, dict):
        identifier = element.get("id")
        if isinstance(identifier, str):
            return "id:" + identifier
    return "json:" + json.dumps(element, sort_keys=True, ensure_ascii=False)


def _elements(axis: list[Any] | None, index: int) -> list[Any] | None:
    if axis is None or index >= len(axis) or not isinstance(axis[index], dict):
        return None
    elements = axis[index].get("elements")
    return elements if isinstance(elements, list) else None


def _rebase(
    total: dict[str, Any], page: dict[str, Any], request: str, width: int
) -> list[dict[int, int] | None]:
    """For each row attribute, where each of the page's elements is in the joined list
    (None where the grid lists no elements: the indexes are kept as they are)."""
    mine, theirs = _grid_axis(total, "rows"), _grid_axis(page, "rows")
    maps: list[dict[int, int] | None] = []
    for k in range(width):
        joined, listed = _elements(mine, k), _elements(theirs, k)
        if joined is None or listed is None:
            maps.append(None)
            continue
        known = {_identity(e): i for i, e in enumerate(joined)}
        mapping: dict[int, int] = {}
        for j, element in enumerate(listed):
            key = _identity(element)
            if key not in known:
                known[key] = len(joined)
                joined.append(element)
            mapping[j] = known[key]
        maps.append(mapping)
    return maps


def _check_columns(total: dict[str, Any], page: dict[str, Any], request: str) -> None:
    mine, theirs = total.get("data", {}).get("headers"), page["data"].get("headers")
    first = mine.get("columns") if isinstance(mine, dict) else None
    later = theirs.get("columns") if isinstance(theirs, dict) else None
    columns = _grid_axis(total, "columns") or []
    same_elements = all(
        [_identity(e) for e in (_elements(columns, k) or [])]
        == [_identity(e) for e in (_elements(_grid_axis(page, "columns"), k) or [])]
        for k in range(len(columns))
    )
    if later is not None and (later != first or not same_elements):
        raise TransportError(
            request,
            server_message="a data page has other column headers than the first page; the "
            "pages cannot be joined",
        )


def merge_page(total: dict[str, Any], page: dict[str, Any], request: str) -> None:
    """Append ``page`` (a later page of a v2 grid reply) to ``total`` (the first page).

    Header indexes are rebased onto the joined element lists; a header that indexes
    past its page's elements raises :class:`~mstr_prompts.client.TransportError`
    naming ``request``.

    >>> first = {"definition": {"grid": {"rows": [{"elements": [{"id": "a"}, {"id": "b"}]}]}},
    ...          "data": {"headers": {"rows": [[0], [1]]}, "metricValues": {"raw": [[1], [2]]}}}
    >>> second = {"definition": {"grid": {"rows": [{"elements": [{"id": "b"}, {"id": "c"}]}]}},
    ...           "data": {"headers": {"rows": [[0], [1]]}, "metricValues": {"raw": [[3], [4]]}}}
    >>> merge_page(first, second, "GET /x")
    >>> first["data"]["headers"]["rows"], first["definition"]["grid"]["rows"][0]["elements"]
    ([[0], [1], [1], [2]], [{'id': 'a'}, {'id': 'b'}, {'id': 'c'}])
    """
    into, data = total.get("data"), page.get("data")
    if not isinstance(into, dict) or not isinstance(data, dict):
        raise TransportError(request, server_message="a data page has no data object")
    _check_columns(total, page, request)
    src, dst = data.get("headers"), into.get("headers")
    if isinstance(src, dict) and isinstance(dst, dict):
        rows, joined = src.get("rows"), dst.get("rows")
        if isinstance(rows, list) and isinstance(joined, list):
            width = max((len(r) for r in rows if isinstance(r, list)), default=0)
            maps = _rebase(total, page, request, width)
            for row in rows:
                if not isinstance(row, list):
                    raise TransportError(request, server_message="a header row is not a list")
                joined.append([_moved(maps, k, index, request) for k, index in enumerate(row)])
    src, dst = data.get("metricValues"), into.get("metricValues")
    if isinstance(src, dict) and isinstance(dst, dict):
        for key in ("raw", "formatted", "extras"):
            if isinstance(src.get(key), list) and isinstance(dst.get(key), list):
                dst[key].extend(src[key])


def _moved(maps: list[dict[int, int] | None], k: int, index: Any, request: str) -> Any:
    mapping = maps[k] if k < len(maps) else None
    if mapping is None:
        return index
    if not isinstance(index, int) or isinstance(index, bool) or index not in mapping:
        raise TransportError(
            request,
            server_message=f"a header row indexes element {str(index)[:20]} of row attribute "
            f"{k + 1}, which the page does not list",
        )
    return mapping[index]
