"""``remotehub import --json`` keeps one object per line even when a title holds U+2028 or
U+2029 (``ensure_ascii=False`` leaves them raw; ``str.splitlines`` and JavaScript split there)."""

from __future__ import annotations

import json
from pathlib import Path

from .helpers import PROGRAMME_DIR
from .test_cli_import import remotehub


async def test_line_separators_in_titles_are_escaped(tmp_path: Path) -> None:
    original = (PROGRAMME_DIR / "programme.csv").read_text(encoding="utf-8-sig")
    odd = original.replace("Opening plenary", "Opening\u2028plenary\u2029day one")
    source = tmp_path / "programme.csv"
    source.write_text(odd, encoding="utf-8")
    sessions = len(
        (
            await remotehub("import", str(PROGRAMME_DIR / "programme.csv"), "--dry-run", "--json")
        ).lines
    )

    run = await remotehub("import", str(source), "--dry-run", "--json")

    assert run.code == 0, run.err
    assert "\u2028" not in run.out and "\u2029" not in run.out
    rows = [json.loads(line) for line in run.out.splitlines()]
    assert len(rows) == sessions > 1
    assert "Opening\u2028plenary\u2029day one" in [row["title"] for row in rows]
