"""``[translate]``: off without url, validated with one line naming the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from config.settings import ConfigError, load_settings


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text)
    return path


def test_off_by_default(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path, ""))
    assert settings.translate.url is None and settings.translate.timeout == 5.0


def test_url_key_timeout(tmp_path: Path) -> None:
    path = write(
        tmp_path, '[translate]\nurl = "http://127.0.0.1:5000/"\napi_key = "k"\ntimeout = 2.5\n'
    )
    settings = load_settings(path)
    assert settings.translate.url == "http://127.0.0.1:5000"
    assert settings.translate.api_key is not None
    assert settings.translate.api_key.get_secret_value() == "k"
    assert settings.translate.timeout == 2.5


@pytest.mark.parametrize(
    ("body", "names"),
    [
        ('url = "ftp://x"', "config: translate.url: must start with http://"),
        ("timeout = 0", "config: translate.timeout:"),
        ("timeout = 600", "config: translate.timeout:"),
        ('timeout = "soon"', "config: translate.timeout:"),
        ("colour = 1", "config: translate.colour: unknown setting"),
    ],
)
def test_bad_values_one_line(tmp_path: Path, body: str, names: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(write(tmp_path, f"[translate]\n{body}\n"))
    message = str(caught.value)
    assert message.startswith(names), message
    assert "\n" not in message
