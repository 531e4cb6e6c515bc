"""A headless Chromium for the console tests: Debian's ``chromium`` and ``chromium-driver``.

Nothing is downloaded: the driver is named by path, so Selenium Manager never runs. Without a
browser the tests skip on a developer's machine and fail under CI (``CI=true``), where ``.ci/run``
installs one.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest


def _found(*names: str) -> str | None:
    for name in names:
        path = shutil.which(name) or (name if Path(name).exists() else None)
        if path:
            return path
    return None


def chrome() -> Iterator[object]:
    browser = _found("chromium", "chromium-browser", "/usr/bin/chromium")
    driver = _found("chromedriver", "/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver")
    if browser is None or driver is None:
        message = (
            "the browser tests need Debian's chromium and chromium-driver "
            "(apt-get install chromium chromium-driver)"
        )
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    webdriver = pytest.importorskip("selenium.webdriver")
    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--window-size=1280,1000",
    ):
        options.add_argument(flag)
    session = webdriver.Chrome(options=options, service=webdriver.ChromeService(executable_path=driver))
    session.implicitly_wait(0)
    try:
        yield session
    finally:
        session.quit()
