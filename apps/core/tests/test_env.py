import pytest
from django.core.exceptions import ImproperlyConfigured

from emotionhub import env


def test_it_reads_booleans_and_refuses_nonsense(monkeypatch):
    monkeypatch.setenv("X_FLAG", "yes")
    assert env.env_bool("X_FLAG") is True
    monkeypatch.setenv("X_FLAG", "0")
    assert env.env_bool("X_FLAG", True) is False
    monkeypatch.setenv("X_FLAG", "perhaps")
    with pytest.raises(ImproperlyConfigured, match="X_FLAG must be a boolean"):
        env.env_bool("X_FLAG")


def test_it_bounds_integers(monkeypatch):
    monkeypatch.setenv("X_INT", "0")
    with pytest.raises(ImproperlyConfigured, match="at least 1"):
        env.env_int("X_INT", 5, minimum=1)
    monkeypatch.setenv("X_INT", "ten")
    with pytest.raises(ImproperlyConfigured, match="whole number"):
        env.env_int("X_INT", 5)
    monkeypatch.delenv("X_INT")
    assert env.env_int("X_INT", 5) == 5


def test_it_splits_lists_and_checks_choices(monkeypatch):
    monkeypatch.setenv("X_LIST", "a, b,,c")
    assert env.env_list("X_LIST") == ["a", "b", "c"]
    monkeypatch.setenv("X_CHOICE", "loud")
    with pytest.raises(ImproperlyConfigured, match="one of"):
        env.env_choice("X_CHOICE", "INFO", ("INFO", "DEBUG"))


def test_production_settings_refuse_to_start_without_a_secret_key():
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-c", "import emotionhub.settings"],
        env={"DEBUG": "0", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        cwd=str(__import__("pathlib").Path(__file__).resolve().parents[3]),
        check=False,
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr
