"""Settings: TOML plus environment, and one clear line (exit 2) for every kind of mistake."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from config.settings import ConfigError, load_settings

EXAMPLE = Path(__file__).resolve().parents[2] / "config" / "example.toml"


def test_example_config_loads(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("REMOTEHUB_CONFIG", raising=False)
    settings = load_settings(EXAMPLE)
    assert settings.timezone == "Asia/Riyadh"
    assert settings.reminder_minutes == [60, 10]
    assert settings.questions.max_length == 1000


def test_environment_overrides_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REMOTEHUB_TIMEZONE", "Asia/Baku")
    monkeypatch.setenv("REMOTEHUB_QUESTIONS__MAX_LENGTH", "500")
    settings = load_settings(EXAMPLE)
    assert settings.timezone == "Asia/Baku"
    assert settings.questions.max_length == 500


@pytest.mark.parametrize(
    ("toml", "expected"),
    [
        ('timezone = "Mars/Olympus"', "config: timezone: unknown time zone 'Mars/Olympus'"),
        ('colour = "blue"', "config: colour: unknown setting"),
        ('timezone = "UTC', "is not valid TOML"),
        ("reminder_minutes = [0]", "config: reminder_minutes:"),
        ('[[sources]]\nname = "x"', "config: sources.0.url: Field required"),
        ('admins = ["bob"]', "config: admins.0:"),
        (
            '[web]\nframe_ancestors = ["web.telegram.org/k"]',
            "config: web.frame_ancestors: 'web.telegram.org/k' is not an origin",
        ),
    ],
)
def test_bad_files_give_one_line(tmp_path: Path, toml: str, expected: str) -> None:
    path = tmp_path / "remotehub.toml"
    path.write_text(toml, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    assert expected in str(caught.value)
    assert "\n" not in str(caught.value)


def test_missing_token_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("REMOTEHUB_TOKEN", raising=False)
    with pytest.raises(ConfigError, match="token: missing"):
        load_settings(require_token=True)


def _cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin", **(env or {})},
        check=False,
    )


def test_cli_bad_config_exits_2_without_traceback(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text('timezone = "Nowhere/Land"\n', encoding="utf-8")
    result = _cli("--config", str(path), "run", env={"REMOTEHUB_TOKEN": "1:abc"})
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "remotehub: config: timezone: unknown time zone 'Nowhere/Land' (use an IANA name like "
        "'Asia/Baku')"
    ]


def test_cli_run_without_token_exits_2() -> None:
    result = _cli("run")
    assert result.returncode == 2
    assert "token: missing" in result.stderr
    assert "Traceback" not in result.stderr


def test_cli_version_and_db_upgrade(tmp_path: Path) -> None:
    assert _cli("--version").stdout.startswith("remotehub ")
    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    result = _cli("db", "upgrade", env={"REMOTEHUB_DATABASE_URL": url})
    assert result.returncode == 0, result.stderr
    assert "database is at revision" in result.stdout
    assert (tmp_path / "cli.db").exists()
