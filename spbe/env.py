"""Small typed readers for settings that come from the environment.

Every setting of the project is read here or in ``spbe.settings``; a value
that production needs and that is missing stops start-up with its name, so an
operator never runs with a silent default (house style, rule 4).
"""

from __future__ import annotations

import os

_TRUE = {"1", "true", "yes", "on", "ya"}
_FALSE = {"0", "false", "no", "off", "tidak", ""}


class MissingSetting(RuntimeError):
    """A required environment variable is absent."""


def env_str(name: str, default: str | None = None, *, required: bool = False) -> str:
    value = os.environ.get(name)
    if value is None or value == "":
        if required:
            raise MissingSetting(
                f"Environment variable {name} is required in production mode (SPBE_ENV=production). See docs/deploy.md."
            )
        return default if default is not None else ""
    return value


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ValueError(f"Environment variable {name} must be true or false, got {value!r}")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ValueError(f"Environment variable {name} must be a whole number, got {value!r}") from None


def env_list(name: str, default: list[str] | None = None, *, required: bool = False) -> list[str]:
    raw = env_str(name, required=required)
    if not raw:
        return list(default or [])
    return [item.strip() for item in raw.split(",") if item.strip()]
