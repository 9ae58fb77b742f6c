"""Settings come from the environment; production refuses to start without
the values it needs (issue 2, item 1)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
REQUIRED = ["DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS", "DATABASE_URL", "CELERY_BROKER_URL", "EMAIL_HOST"]
COMPLETE = {
    "SPBE_ENV": "production",
    "DJANGO_SECRET_KEY": "k" * 60,
    "DJANGO_ALLOWED_HOSTS": "layanan.example.go.id",
    "DATABASE_URL": "postgres://spbe@127.0.0.1:5432/spbe",
    "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
    "EMAIL_HOST": "smtp.example.go.id",
}


def load_settings(env: dict[str, str], tmp_path) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in REQUIRED and k != "SPBE_ENV"}
    clean.update(env, SPBE_VAR_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="spbe.settings")
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.DATABASES['default']['ENGINE'])"
    )
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True, text=True)


@pytest.mark.parametrize("missing", REQUIRED)
def test_production_fails_at_start_up_naming_the_missing_setting(tmp_path, missing):
    env = {k: v for k, v in COMPLETE.items() if k != missing}
    result = load_settings(env, tmp_path)
    assert result.returncode != 0
    assert f"Environment variable {missing} is required" in result.stderr


def test_complete_production_settings_load(tmp_path):
    result = load_settings(COMPLETE, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "postgresql" in result.stdout


def test_embedded_default_is_sqlite_under_var(tmp_path):
    result = load_settings({"DATABASE_URL": ""}, tmp_path)
    assert result.stdout.strip() == "django.db.backends.sqlite3"
    assert (tmp_path / "secret_key").exists()
