"""Numbers written as text: Unicode digits ("²" passes ``str.isdigit()``, ``int()`` refuses it),
numbers longer than ``int()``'s 4300-digit limit, and page numbers past any real listing.

Each is a bad value in the provider's own words, never a 500.
"""

from __future__ import annotations

import json

import pytest
from _enos import Enos
from aws_helpers import POLICY, SIGNED, string_params, template, thing_resource
from werkzeug.test import Client

from iotfake import FakeCloud

HUGE = "9" * 5000
#: digits str.isdigit() accepts: a superscript (int() refuses it) and an Arabic-Indic three (int() reads it)
SCRIPTR = {"Authorization": "bearer owner-token"}


@pytest.fixture
def cloud() -> FakeCloud:
    return FakeCloud(seed=1)


@pytest.fixture
def client(cloud: FakeCloud) -> Client:
    return Client(cloud.wsgi_app)


@pytest.mark.parametrize("limit", ["²", "\u0663", HUGE, "-1", "1_0"])
def test_admin_journal_limit_must_be_ascii_digits(client: Client, limit: str) -> None:
    answer = client.get("/_iotfake/journal", query_string={"limit": limit})
    assert answer.status_code == 400
    assert answer.json["error"].startswith("limit is a whole number of entries")


@pytest.mark.parametrize("index", ["²", "9" * 4000, "\u0663"])
def test_register_thing_select_index_text_must_be_a_plain_number(client: Client, index: str) -> None:
    body = template(
        {"thing": thing_resource({"Fn::Select": [{"Ref": "Index"}, ["a1", "b1"]]})}, string_params("Index")
    )
    answer = client.post(
        "/things", json={"templateBody": body, "parameters": {"Index": index}}, headers=SIGNED
    )
    assert answer.status_code == 400, answer.get_data()
    assert answer.headers["x-amzn-ErrorType"] == "InvalidRequestException:"
    assert answer.json["message"].startswith("Invalid registration template. ")
    assert "must be an index" in answer.json["message"]


def test_register_thing_select_still_takes_a_numeric_string(client: Client) -> None:
    body = template(
        {"thing": thing_resource({"Fn::Select": [{"Ref": "Index"}, ["a1", "b1"]]})}, string_params("Index")
    )
    answer = client.post("/things", json={"templateBody": body, "parameters": {"Index": "1"}}, headers=SIGNED)
    assert answer.status_code == 200, answer.get_data()
    assert answer.json["resourceArns"]["thing"].endswith("/b1")


@pytest.mark.parametrize("value", [HUGE, "\u0663", "1" + "0" * 30])
def test_aws_integer_query_members_out_of_range_are_invalid(client: Client, value: str) -> None:
    answer = client.get("/things", query_string={"maxResults": value}, headers=SIGNED)
    assert answer.status_code == 400
    assert answer.headers["x-amzn-ErrorType"] == "InvalidRequestException:"
    assert "at 'maxResults' failed to satisfy constraint: Member must be an integer" in answer.json["message"]


def test_aws_policy_document_with_a_huge_integer_is_malformed(client: Client) -> None:
    document = json.dumps(POLICY)[:-1] + ', "Extra": ' + HUGE + "}"
    answer = client.post("/policies/p1", json={"policyDocument": document}, headers=SIGNED)
    assert answer.status_code == 400
    assert answer.headers["x-amzn-ErrorType"] == "MalformedPolicyException:"
    # an integer past Python's 4,300 digits is past a policy's 2,048 characters too: refused first
    assert "at most 2048 are allowed" in answer.json["message"]


@pytest.mark.parametrize("number", [HUGE, "1" + "0" * 400])
def test_enos_expression_with_a_huge_number_is_99400(cloud: FakeCloud, number: str) -> None:
    enos = Enos.wsgi(cloud)
    enos.product()
    answer = enos.search(f"deviceKey = {number}")
    assert answer["code"] == 99400
    assert "number" in answer["msg"]


@pytest.mark.parametrize("page_no", [2**63 // 10, 2**63, 10**400, 2**31])
def test_enos_page_numbers_past_java_int_are_99400(cloud: FakeCloud, page_no: int) -> None:
    enos = Enos.wsgi(cloud)
    pk = enos.product()
    enos.device(pk)
    answer = enos.search(pagination={"pageNo": page_no, "pageSize": 10})
    assert answer["code"] == 99400
    assert answer["msg"].startswith("Invalid Argument pagination.pageNo:")


def test_enos_the_last_java_int_page_is_an_empty_page(cloud: FakeCloud) -> None:
    enos = Enos.wsgi(cloud)
    enos.device(enos.product())
    answer = enos.search(pagination={"pageNo": 2**31 - 1, "pageSize": 200})
    assert answer["code"] == 0 and answer["data"] == []
    assert answer["pagination"]["totalSize"] == 1


@pytest.mark.parametrize("timestamp", ["²²²", "\u0661\u0667" + "\u0660" * 11, HUGE])
def test_enos_token_timestamp_must_be_ascii_digits(client: Client, timestamp: str) -> None:
    answer = client.post(
        "/apim-token-service/v2.0/token/get",
        json={"appKey": "any-app", "timestamp": timestamp, "encryption": "00"},
    )
    assert answer.json["status"] == 1004
    assert "timestamp must be a millisecond timestamp" in answer.json["msg"]


@pytest.mark.parametrize("code", ["²", "\u0663\u0660\u0660", HUGE])
def test_a_fault_rule_with_a_unicode_digit_code_is_refused_by_name(client: Client, code: str) -> None:
    answer = client.post("/_iotfake/faults", json={"provider": "enos", "action": {"error": code}})
    assert answer.status_code == 400
    assert "unknown EnOS error code" in answer.json["error"]


@pytest.mark.parametrize("value", [HUGE, "1" + "0" * 400, "\u0663"])
def test_scriptr_query_with_a_huge_or_unicode_number(client: Client, value: str) -> None:
    answer = client.post("/scriptr/device/query", json={"query": f"a = {value}"}, headers=SCRIPTR)
    assert answer.status_code == 200
    metadata = answer.json["response"]["result"]["metadata"]
    assert metadata["errorCode"] == "INVALID_QUERY_REQUEST"


def test_scriptr_equality_against_a_stored_huge_integer(client: Client) -> None:
    """A field holding an integer beyond float range compares as unequal, not as a 500."""
    made = client.post(
        "/scriptr/device/create",
        json={"id": "big", "name": "big", "password": "pw-123456", "n": 10**400},
        headers=SCRIPTR,
    )
    assert made.json["response"]["result"]["metadata"]["status"] == "success", made.json
    for query in ("n = 5", "n in [5, 6]", "n != 5"):
        answer = client.post(
            "/scriptr/device/query", json={"query": query, "sort": "n<numeric:ASC>"}, headers=SCRIPTR
        )
        assert answer.status_code == 200, (query, answer.get_data())
        devices = answer.json["response"]["result"]["result"]["devices"]
        expected = {"big", "scriptr"} if query == "n != 5" else set()  # scriptr: the built-in device
        assert {d["id"] for d in devices} == expected, query


@pytest.mark.parametrize("types", ['{"n": ' + HUGE + "}", '{"n": [[' * 60 + "]]" * 60 + "}"])
def test_scriptr_meta_types_string_that_is_not_usable_json(client: Client, types: str) -> None:
    answer = client.post(
        "/scriptr/device/create",
        data={"id": "d1", "name": "d1", "password": "pw-123456", "meta.types": types},
        headers=SCRIPTR,
    )
    assert answer.status_code == 200
    metadata = answer.json["response"]["result"]["metadata"]
    assert metadata["status"] == "failure"
    assert "meta.types" in metadata["errorDetail"]


@pytest.mark.parametrize("value", ["\u0663", "²", HUGE])
def test_scriptr_page_parameters_must_be_ascii_digits(client: Client, value: str) -> None:
    answer = client.get("/scriptr/device/query", query_string={"resultsPerPage": value}, headers=SCRIPTR)
    assert answer.status_code == 200
    metadata = answer.json["response"]["result"]["metadata"]
    assert metadata["status"] == "failure" and "resultsPerPage" in metadata["errorDetail"]
