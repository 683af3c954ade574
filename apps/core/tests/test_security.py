"""Production settings pass Django's deployment checks; sign-ins are throttled."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

from django.test import TestCase

from tests.factories import UserFactory

ROOT = Path(__file__).resolve().parents[3]


def production_env(**extra) -> dict:
    """The process environment of a production web node: no test-only switches (the browser tests set one)."""
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    return {
        **env,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(60),
        "DJANGO_SETTINGS_MODULE": "emotionhub.settings",
        **extra,
    }


def test_check_deploy_is_clean_under_production_settings():
    env = production_env(ALLOWED_HOSTS="emotionhub.example")
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_settings_are_strict():
    code = (
        "from django.conf import settings as s;"
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS, s.X_FRAME_OPTIONS,"
        " s.PASSWORD_HASHERS[0].rsplit('.', 1)[1])"
    )
    env = production_env()
    out = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert out == ["True", "True", "31536000", "DENY", "Argon2PasswordHasher"]


class LoginThrottlingTest(TestCase):
    def test_five_failed_sign_ins_lock_the_account_even_with_the_right_password_then(self):
        UserFactory(username="am.alice")
        for _ in range(5):
            response = self.client.post("/accounts/login/", {"username": "am.alice", "password": "wrong"})
            self.assertNotEqual(response.status_code, 302)
        locked = self.client.post("/accounts/login/", {"username": "am.alice", "password": "password"})
        self.assertEqual(locked.status_code, 429)
        self.assertContains(locked, "Too many failed sign-ins", status_code=429)
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_the_token_endpoint_is_throttled_too(self):
        UserFactory(username="integration")
        for _ in range(5):
            self.client.post("/api/v1/auth/token/", {"username": "integration", "password": "wrong"})
        response = self.client.post("/api/v1/auth/token/", {"username": "integration", "password": "password"})
        self.assertNotEqual(response.status_code, 200)

    def test_a_successful_sign_in_is_not_throttled(self):
        UserFactory(username="am.bruno")
        self.client.post("/accounts/login/", {"username": "am.bruno", "password": "wrong"})
        response = self.client.post("/accounts/login/", {"username": "am.bruno", "password": "password"})
        self.assertEqual(response.status_code, 302)
