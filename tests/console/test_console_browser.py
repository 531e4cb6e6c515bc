"""The console in a real headless browser: load it, find a device, add a fault through the form,
see the next create fail in the journal's live tail, reset."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
import requests
from enos_calls import live_create

from iotfake import FakeCloud

from .browser import chrome

pytestmark = pytest.mark.browser
ORG = "o15475450989191"


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    yield from chrome()


@pytest.fixture
def served() -> Iterator[tuple[FakeCloud, str]]:
    cloud = FakeCloud(seed=11)
    cloud.load("two_orgs")
    with cloud.serve(mqtt=False) as server:
        yield cloud, server.url


def wait_for(browser, condition, timeout: float = 10):
    from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
    from selenium.webdriver.support.ui import WebDriverWait

    def settled(b):
        # the live tail redraws its rows when new calls arrive, and an action reloads the page: an
        # element read mid-redraw, or from the document being replaced, is tried again
        try:
            return condition(b)
        except StaleElementReferenceException:
            return False
        except WebDriverException as exc:
            if "does not belong to the document" in str(exc):
                return False
            raise

    return WebDriverWait(browser, timeout, poll_frequency=0.05).until(settled)


def test_find_a_device_fault_the_next_create_see_it_fail_then_reset(browser, served) -> None:
    from selenium.webdriver.common.by import By

    cloud, url = served
    browser.get(f"{url}/_iotfake/console")
    assert browser.title == "iotfake console"
    browser.find_element(By.LINK_TEXT, ORG).click()

    # find a device: the search runs on the server
    search = wait_for(browser, lambda b: b.find_element(By.ID, "q"))
    search.send_keys("002")
    browser.find_element(By.CSS_SELECTOR, "#search button").click()
    wait_for(browser, lambda b: "q=002" in b.current_url)
    rows = browser.find_elements(By.CSS_SELECTOR, "#devices td:first-child")
    assert [row.text for row in rows] == ["inverter-002"]

    # add a fault through the form
    browser.find_element(By.LINK_TEXT, "← all tenants").click()
    rule = wait_for(browser, lambda b: b.find_element(By.ID, "rule"))
    rule.clear()
    fault = {
        "provider": "enos",
        "operation": "CreateDevice",
        "match": {"orgId": ORG},
        "action": {"error": "11714"},
    }
    rule.send_keys(json.dumps({**fault, "times": 1}))
    browser.find_element(By.CSS_SELECTOR, "#add-fault button").click()
    wait_for(browser, lambda b: "rule-1" in b.find_element(By.ID, "rules").text)
    assert [r.id for r in cloud.faults] == ["rule-1"]

    # the next create fails, and the live tail shows it
    answer = live_create(requests, url, "InvPrd01", org=ORG).json()
    assert answer["code"] == 11714
    row = wait_for(
        browser,
        lambda b: next(
            (r for r in b.find_elements(By.CSS_SELECTOR, "#journal tbody tr") if "CreateDevice" in r.text),
            None,
        ),
    )
    assert "11714" in row.text and "rule-1" in row.text
    assert "fault" in row.get_attribute("class")
    row.find_element(By.TAG_NAME, "summary").click()
    assert '"orgId"' in row.find_element(By.TAG_NAME, "pre").text

    # a bad rule is refused with the admin API's text, shown on the page
    rule = browser.find_element(By.ID, "rule")
    rule.clear()
    rule.send_keys('{"provider": "enos", "operation": "CreateDevise", "action": {"error": "11714"}}')
    browser.find_element(By.CSS_SELECTOR, "#add-fault button").click()
    message = wait_for(browser, lambda b: b.find_element(By.ID, "message").text or None)
    assert "did you mean CreateDevice" in message

    # reset (the page asks first)
    browser.find_element(By.ID, "reset").click()
    wait_for(browser, lambda b: b.switch_to.alert).accept()
    wait_for(browser, lambda b: "no tenant yet" in b.find_element(By.ID, "tenants").text)
    assert len(cloud.faults) == 0 and cloud.registry.find_tenant("enos", ORG) is None


def test_pause_and_remove_a_rule_and_filter_the_journal(browser, served) -> None:
    from selenium.webdriver.common.by import By

    cloud, url = served
    cloud.faults.add_rule({"provider": "enos", "operation": "CreateDevice", "action": {"error": "11714"}})
    live_create(requests, url, "InvPrd01", org=ORG)
    requests.get(
        f"{url}/connect-service/v2.1/devices?action=get&orgId={ORG}&deviceKey=inverter-001",
        headers={"apim-accesstoken": "t"},
        timeout=10,
    )
    browser.get(f"{url}/_iotfake/console")
    browser.find_element(By.CSS_SELECTOR, 'button[data-action="pause_fault"]').click()
    wait_for(browser, lambda b: b.find_elements(By.CSS_SELECTOR, "#rules tr.paused"))
    assert cloud.faults.get("rule-1").paused

    outcome = browser.find_element(By.CSS_SELECTOR, '#journal-filters select[name="outcome"]')
    outcome.find_element(By.CSS_SELECTOR, 'option[value="fault"]').click()
    wait_for(
        browser,
        lambda b: (
            [r.text for r in b.find_elements(By.CSS_SELECTOR, "#journal tbody tr")]
            and all("CreateDevice" in r.text for r in b.find_elements(By.CSS_SELECTOR, "#journal tbody tr"))
        ),
    )

    browser.find_element(By.CSS_SELECTOR, 'button[data-action="remove_fault"]').click()
    wait_for(browser, lambda b: "no rules" in b.find_element(By.ID, "rules").text)
    assert len(cloud.faults) == 0
