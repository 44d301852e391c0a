"""The project stands alone: its tests and benchmarks read only the project's own files."""

from __future__ import annotations

import re

from tests.conftest import PROJECT_ROOT

# "../shared", or a path built from the checkout's parent towards a sibling folder.
_OUTSIDE = re.compile(
    r"\.\./shared|\.parent\s*/\s*[\"']shared[\"']|parents\[\d\]\s*/\s*[\"']shared"
)


def test_no_test_or_benchmark_reads_beside_the_checkout() -> None:
    offenders = [
        f"{path.relative_to(PROJECT_ROOT)}:{number}"
        for folder in ("tests", "bench")
        for path in sorted((PROJECT_ROOT / folder).rglob("*.py"))
        if path.name != "test_layout.py"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if _OUTSIDE.search(line)
    ]
    assert offenders == []


def test_localapi_is_imported_only_by_the_demo_cli_tests_and_benchmarks() -> None:
    allowed = ("bot/demo/", "bot/cli/", "localapi/", "tests/", "bench/")
    importers = [
        str(path.relative_to(PROJECT_ROOT))
        for folder in ("bot", "handlers", "storage", "config")
        for path in sorted((PROJECT_ROOT / folder).rglob("*.py"))
        if re.search(r"^\s*(from|import) localapi\b", path.read_text(encoding="utf-8"), re.M)
    ]
    assert [p for p in importers if not p.startswith(allowed)] == []
