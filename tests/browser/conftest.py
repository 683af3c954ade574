"""Real-browser tests: Playwright drives Debian's Chromium (never a downloaded browser).

Set ``CHROMIUM_PATH`` if Chromium lives elsewhere than ``/usr/bin/chromium``. The tests fail, not
skip, when it is missing: a browser test that silently does not run proves nothing.
"""

from __future__ import annotations

import os
import shutil
import tempfile

import pytest

# Playwright's sync API keeps an event loop in this thread; the ORM calls the tests make are
# ordinary synchronous ones, so Django's async-safety guard would be a false alarm here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def _chromium_path() -> str:
    path = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
    if not os.path.exists(path):
        pytest.fail(f"Chromium not found at {path}: apt-get install chromium (or set CHROMIUM_PATH)")
    return path


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    profile = tempfile.mkdtemp(prefix="emotionhub-chromium-")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=_chromium_path(), args=CHROMIUM_FLAGS, headless=True)
        yield browser
        browser.close()
    shutil.rmtree(profile, ignore_errors=True)


def _restore_migration_data() -> None:
    """Put back what data migrations create (role groups and their permissions, the purpose register, the default
    taxonomy): another transactional test that ran earlier in this process flushed it when it ended."""
    import importlib

    from django.apps import apps as registry

    from apps.governance.register import ensure_register
    from apps.scoring.taxonomy import invalidate

    ensure_register(registry)
    importlib.import_module("apps.scoring.migrations.0002_default_taxonomy").forwards(registry, None)
    invalidate()


@pytest.fixture
def page(browser, live_server):
    _restore_migration_data()
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1366, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


def sign_in(page, username: str, password: str = "password") -> None:
    """Sign in through the login page, as a person would."""
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
