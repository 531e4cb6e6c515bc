"""Search pagination and projection, and the fast path that pages without scanning the org."""

from __future__ import annotations

import pytest
from _enos import Enos
from freezegun import freeze_time

from iotfake import FakeCloud
from iotfake.registry import Device


@pytest.fixture
def setup() -> tuple[FakeCloud, Enos, str, list[str]]:
    cloud = FakeCloud(seed=1)
    enos = Enos.wsgi(cloud)
    pk = enos.product()
    made = [enos.device(pk, deviceKey=f"meter-{i:03d}")["deviceKey"] for i in range(1, 24)]
    return cloud, enos, pk, made


def test_default_page_is_the_ten_newest(setup) -> None:
    _, enos, _, made = setup
    answer = enos.search()
    assert [d["deviceKey"] for d in answer["data"]] == made[::-1][:10]
    assert answer["pagination"] == {"sortedBy": None, "pageNo": 1, "pageSize": 10, "totalSize": 23}


@pytest.mark.parametrize(("page_no", "page_size"), [(1, 5), (2, 5), (5, 5), (6, 5), (3, 10), (1, 200)])
def test_pages_walk_the_whole_set(setup, page_no: int, page_size: int) -> None:
    _, enos, pk, made = setup
    newest_first = made[::-1]
    expected = newest_first[(page_no - 1) * page_size : page_no * page_size]
    for expression in (
        None,
        f"productKey = '{pk}'",
        "status = 'inactive'",
        f"productKey = '{pk}' and status = 'inactive'",
    ):
        answer = enos.search(expression, pagination={"pageNo": page_no, "pageSize": page_size})
        assert [d["deviceKey"] for d in answer["data"]] == expected, expression
        assert answer["pagination"] == {
            "sortedBy": None,
            "pageNo": page_no,
            "pageSize": page_size,
            "totalSize": 23,
        }


def test_missing_page_fields_take_defaults(setup) -> None:
    _, enos, _, _ = setup
    assert enos.search(pagination={"pageSize": 3})["pagination"]["pageNo"] == 1
    assert enos.search(pagination={"pageNo": 2})["pagination"]["pageSize"] == 10


@pytest.mark.parametrize(
    ("pagination", "field"),
    [
        ({"pageNo": 1, "pageSize": 201}, "pagination.pageSize"),
        ({"pageNo": 0, "pageSize": 10}, "pagination.pageNo"),
        ({"pageNo": "1"}, "pagination.pageNo"),
        ({"pageSize": 0}, "pagination.pageSize"),
        ({"pageSize": True}, "pagination.pageSize"),
        ({"pageSize": 2.5}, "pagination.pageSize"),
        ({"sorters": [{"field": "createTime", "order": "ASC"}]}, "pagination.sorters"),
        ([1, 10], "pagination"),
    ],
)
def test_bad_pagination_is_99400(setup, pagination, field: str) -> None:
    _, enos, _, _ = setup
    answer = enos.search(pagination=pagination)
    assert answer["code"] == 99400 and answer["msg"].startswith(f"Invalid Argument {field}:")


def test_projection_keeps_only_the_named_fields(setup) -> None:
    _, enos, _, made = setup
    answer = enos.search(
        pagination={"pageSize": 2}, projection=["deviceKey", "deviceName.defaultValue", "nonexistent"]
    )
    assert answer["data"] == [
        {"deviceKey": made[-1], "deviceName": {"defaultValue": "meter"}},
        {"deviceKey": made[-2], "deviceName": {"defaultValue": "meter"}},
    ]
    assert answer["pagination"]["totalSize"] == 23


def test_projection_reaches_into_lists() -> None:
    enos = Enos.wsgi(FakeCloud(seed=1))
    pk = enos.product()
    enos.device(
        pk, deviceAttributes={"distances": [{"towards": "sun", "au": 1}, {"towards": "mars", "au": 2}]}
    )
    answer = enos.search(projection=["deviceAttributes.distances[*].towards"])
    assert answer["data"] == [{"deviceAttributes": {"distances": [{"towards": "sun"}, {"towards": "mars"}]}}]


def test_projection_star_stands_for_any_field() -> None:
    """The API FAQ: ``*`` "stands for any field value" in a projection path."""
    enos = Enos.wsgi(FakeCloud(seed=1))
    pk = enos.product()
    name = {"defaultValue": "venus", "i18nValue": {"en_US": "Venus"}}
    attributes = {"sun": {"towards": "sun", "au": 0.72}, "jupiter": {"towards": "jupiter", "au": 5.44}}
    enos.device(pk, deviceKey="venus", deviceName=name, deviceAttributes=attributes)
    answer = enos.search(projection=["deviceKey", "deviceName.*", "deviceAttributes.*.towards"])
    assert answer["data"] == [
        {
            "deviceKey": "venus",
            "deviceName": name,
            "deviceAttributes": {"sun": {"towards": "sun"}, "jupiter": {"towards": "jupiter"}},
        }
    ]
    whole = enos.search(projection=["*"])["data"]
    assert whole == enos.search()["data"]
    # a named field's path and the star's both apply to it
    both = enos.search(projection=["deviceAttributes.sun.au", "deviceAttributes.*.towards"])["data"]
    assert both == [
        {"deviceAttributes": {"sun": {"towards": "sun", "au": 0.72}, "jupiter": {"towards": "jupiter"}}}
    ]


@pytest.mark.parametrize("projection", ["deviceKey", [1], [""], ["a..b"]])
def test_bad_projection_is_99400(setup, projection) -> None:
    _, enos, _, _ = setup
    answer = enos.search(projection=projection)
    assert answer["code"] == 99400 and "projection" in answer["msg"]


class CountingDevices(dict):
    """Counts how many devices a search touches through ``values()``."""

    touched = 0

    def values(self):
        parent = super().values()

        class View:
            def __len__(self) -> int:
                return len(parent)

            def __iter__(self):
                for device in parent:
                    CountingDevices.touched += 1
                    yield device

            def __reversed__(self):
                for device in reversed(parent):
                    CountingDevices.touched += 1
                    yield device

        return View()


def test_unfiltered_and_single_product_searches_touch_only_the_page() -> None:
    cloud = FakeCloud(seed=1)
    enos = Enos.wsgi(cloud)
    pk = enos.product()
    org = cloud.registry.tenant("enos", "o1")
    for i in range(5000):
        org.add_device(key=f"bulk-{i:05d}", product=pk, build=lambda i, k: Device(i, k, None))
    org.devices = CountingDevices(org.devices)
    product = org.product(pk)
    product.devices = CountingDevices(product.devices)
    for expression in (None, f"productKey = '{pk}'"):
        CountingDevices.touched = 0
        answer = enos.search(expression, pagination={"pageNo": 3, "pageSize": 7})
        assert answer["pagination"]["totalSize"] == 5000
        assert [d["deviceKey"] for d in answer["data"]] == [f"bulk-{i:05d}" for i in range(4985, 4978, -1)]
        assert CountingDevices.touched <= 21, expression
    CountingDevices.touched = 0
    assert enos.search("status = 'inactive'")["pagination"]["totalSize"] == 5000
    assert CountingDevices.touched >= 5000  # any other filter does scan


def test_the_pages_of_an_expression_read_what_the_first_selected_until_a_write(setup, monkeypatch) -> None:
    """Paging through a scan (``status = 'inactive'``) evaluates it on every device once; a
    create (a device's write) selects again, so no page is ever stale."""
    from iotfake.registry import selections

    _, enos, pk, made = setup
    selected = []
    real = selections.selection
    monkeypatch.setattr(
        "iotfake.providers.enos.queries.selection",
        lambda tenant, spec, select, **kept: real(
            tenant, spec, lambda: selected.append(spec) or select(), **kept
        ),
    )

    def keys(page_no: int) -> tuple[list[str], int]:
        answer = enos.search("status = 'inactive'", pagination={"pageNo": page_no, "pageSize": 5})
        return [d["deviceKey"] for d in answer["data"]], answer["pagination"]["totalSize"]

    assert keys(1) == (made[::-1][:5], 23) and len(selected) == 1
    assert keys(2) == (made[::-1][5:10], 23) and keys(5) == (made[::-1][20:], 23)
    assert len(selected) == 1  # the later pages read the first one's selection
    enos.device(pk, deviceKey="meter-new")
    assert keys(1) == (["meter-new", *made[::-1][:4]], 24) and len(selected) == 2
    assert enos.search(f"productKey = '{pk}' and status = 'inactive'")["pagination"]["totalSize"] == 24
    assert len(selected) == 3  # another expression: a selection of its own


def test_newest_create_time_first_when_creation_order_is_not_create_time_order() -> None:
    """Seeded records carry their own createTime, and the fake's clock may be set back: the
    order is still newest createTime first (of equal ones, the last made first), on every path."""
    cloud = FakeCloud(seed=1)
    stamps = {"old": 1000, "new": 1_700_000_000_000, "mid": 1_500_000_000_000}
    products = [{"productKey": f"p-{name}", "createTime": at} for name, at in stamps.items()]
    devices = [
        {"productKey": "p-new", "deviceKey": f"d-{name}", "createTime": at} for name, at in stamps.items()
    ]
    cloud.seed({"enos": {"orgs": [{"orgId": "o1", "products": products, "devices": devices}]}})
    enos = Enos.wsgi(cloud)
    with freeze_time("2017-07-14 02:40:00"):  # 1.5e12 ms: d-now ties with d-mid, made after it
        enos.device("p-new", deviceKey="d-now")
    newest = ["d-new", "d-now", "d-mid", "d-old"]
    for expression in (None, "productKey = 'p-new'", "status = 'inactive'"):
        answer = enos.search(expression, pagination={"pageNo": 1, "pageSize": 10})
        assert [d["deviceKey"] for d in answer["data"]] == newest, expression
    second = enos.search(None, pagination={"pageNo": 2, "pageSize": 3})
    assert [d["deviceKey"] for d in second["data"]] == ["d-old"]
    found = enos.call("products", "search", {})["data"]
    assert [p["productKey"] for p in found] == ["p-new", "p-mid", "p-old"]
