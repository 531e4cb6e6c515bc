"""The ``iotfake`` fixture: a fresh cloud per test, seeded from the test id, tunable per test."""

from __future__ import annotations

import re

import pytest

from iotfake.pytest_plugin import seed_for

CREATE_PRODUCT = """
from werkzeug.test import Client

PRODUCT = {"productName": {"defaultValue": "Meter"}, "productType": "Device", "dataFormat": "Json",
           "modelId": "meter", "biDirectionalAuth": False}

def create_product(cloud):
    answer = Client(cloud.wsgi_app).post(
        "/connect-service/v2.1/products?action=create&orgId=o1", json=PRODUCT,
        headers={"apim-accesstoken": "t"}).json
    assert answer["code"] == 0, answer
    return answer["data"]
"""


def test_every_test_gets_a_fresh_cloud(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        CREATE_PRODUCT
        + """
clouds = []

def test_one(iotfake):
    clouds.append(iotfake)
    create_product(iotfake)
    assert len(iotfake.journal) == 1

def test_two(iotfake):
    assert iotfake is not clouds[0]
    assert len(iotfake.journal) == 0
    assert iotfake.registry.tenants() == []
"""
    )
    pytester.runpytest("-p", "no:randomly").assert_outcomes(passed=2)


def test_the_seed_comes_from_the_node_id_so_values_reproduce(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_seeds=CREATE_PRODUCT
        + """
import pytest

@pytest.mark.parametrize("n", [1, 2])
def test_value(iotfake, n, request):
    print(f"SEED {request.node.nodeid} {iotfake.seed_value} {create_product(iotfake)}")
"""
    )
    first = pytester.runpytest("-s")
    second = pytester.runpytest("-s")
    first.assert_outcomes(passed=2)
    lines = sorted(re.findall(r"SEED (\S+) (\d+) (\S+)", first.stdout.str()))
    assert len(lines) == 2
    assert lines == sorted(re.findall(r"SEED (\S+) (\d+) (\S+)", second.stdout.str()))
    seeds = {nodeid: int(seed) for nodeid, seed, _product_key in lines}
    assert all(seed == seed_for(nodeid) for nodeid, seed in seeds.items())
    assert len(set(seeds.values())) == 2


def test_marker_sets_seed_and_auth(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
import pytest

@pytest.mark.iotfake(seed=7, auth="off")
def test_marked(iotfake):
    assert iotfake.seed_value == 7
    assert iotfake.auth == "off"

def test_default(iotfake):
    assert iotfake.auth == "lenient"
"""
    )
    pytester.runpytest("--strict-markers").assert_outcomes(passed=2)


def test_conftest_overrides_settings_and_the_marker_still_wins(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(
        """
import pytest

@pytest.fixture
def iotfake_seed():
    return 42

@pytest.fixture
def iotfake_auth():
    return "strict"
"""
    )
    pytester.makepyfile(
        """
import pytest

def test_overridden(iotfake):
    assert (iotfake.seed_value, iotfake.auth) == (42, "strict")

@pytest.mark.iotfake(seed=1, auth="off")
def test_marker_wins(iotfake):
    assert (iotfake.seed_value, iotfake.auth) == (1, "off")
"""
    )
    pytester.runpytest().assert_outcomes(passed=2)


def test_module_and_test_markers_merge_keyword_by_keyword(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
import pytest

pytestmark = pytest.mark.iotfake(seed=5, auth="off")

@pytest.mark.iotfake(seed=6)
def test_closest_wins(iotfake):
    assert (iotfake.seed_value, iotfake.auth) == (6, "off")

class TestGroup:
    pytestmark = pytest.mark.iotfake(auth="strict")

    def test_class_marker(self, iotfake):
        assert (iotfake.seed_value, iotfake.auth) == (5, "strict")
"""
    )
    pytester.runpytest("--strict-markers").assert_outcomes(passed=2)


@pytest.mark.parametrize(
    ("marker", "message"),
    [
        (
            'auth="sometimes"',
            "@pytest.mark.iotfake: auth must be one of off, lenient, strict, not 'sometimes'",
        ),
        ("seeds=1", "@pytest.mark.iotfake got unknown keyword 'seeds'; expected one of fixtures, faults,"),
        ('"two_orgs.json"', "@pytest.mark.iotfake takes keyword arguments only"),
        ("fixtures=5", "@pytest.mark.iotfake: fixtures[[]0[]]: takes file names, not int 5"),
        ("fixtures={'a': 1}", "@pytest.mark.iotfake: fixtures[[]0[]]: takes file names, not dict"),
        ("seed=[1]", "@pytest.mark.iotfake: a seed is a whole number, a string or None, not [[]1[]]"),
        ("fixtures=type('P', (), {'__fspath__': lambda self: 'none.json'})()", "none.json"),
    ],
)
def test_a_bad_marker_is_a_clear_setup_error(pytester: pytest.Pytester, marker: str, message: str) -> None:
    pytester.makepyfile(
        f"""
import pytest

@pytest.mark.iotfake({marker})
def test_marked(iotfake):
    pass
"""
    )
    result = pytester.runpytest()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines([f"*{message}*"])
    result.stdout.no_fnmatch_line("*Traceback*")
    result.stdout.no_fnmatch_line("*During handling*")


def test_a_finished_test_does_not_keep_its_cloud_alive(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
import gc
import weakref

refs = []

def test_one(iotfake):
    refs.append(weakref.ref(iotfake))

def test_two():
    gc.collect()
    assert refs[0]() is None
"""
    )
    pytester.runpytest("-p", "no:randomly").assert_outcomes(passed=2)
