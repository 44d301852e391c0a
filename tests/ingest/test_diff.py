"""The programme diff without a database: which change a re-poll makes, and fitting to columns."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest

from bot.ingest.diff import KEY_LENGTH, classify, diff_programme, row_values, stored_key
from bot.ingest.records import SessionRecord
from bot.ingest.schedule import MAX_BACKOFF, backoff_delay, next_poll_at
from bot.programme.events import ChangeKind
from storage.models import Session

from .helpers import utc

NOW = utc("2026-06-20T08:00")
BASE = SessionRecord(
    key="k1",
    title="IFLA session",
    start=utc("2026-06-23T10:00"),
    end=utc("2026-06-23T11:00"),
    timezone="Asia/Baku",
    room="Room A",
)


def stored(record: SessionRecord, session_id: int = 1, **overrides: Any) -> Session:
    columns = {**row_values(record, is_ifla=True), "vanished": False, **overrides}
    return Session(id=session_id, source_id=1, created_at=NOW, updated_at=NOW, **columns)


def values(record: SessionRecord) -> dict[str, Any]:
    return row_values(record, is_ifla=True)


@pytest.mark.parametrize(
    ("before", "after", "kind"),
    [
        (BASE, BASE, None),
        (BASE, replace(BASE, start=utc("2026-06-23T12:00"), end=utc("2026-06-23T13:00")),
         ChangeKind.MOVED),
        (BASE, replace(BASE, end=utc("2026-06-23T11:30")), ChangeKind.MOVED),
        (BASE, replace(BASE, room="Room B"), ChangeKind.ROOM_CHANGED),
        (BASE, replace(BASE, room="Room B", start=utc("2026-06-23T09:00")), ChangeKind.MOVED),
        (BASE, replace(BASE, cancelled=True), ChangeKind.CANCELLED),
        (BASE, replace(BASE, cancelled=True, room="Room B"), ChangeKind.CANCELLED),
        (replace(BASE, cancelled=True), BASE, ChangeKind.RESTORED),
        (replace(BASE, cancelled=True), replace(BASE, cancelled=True, room="X"), None),
        (BASE, replace(BASE, title="IFLA session (updated)"), None),
    ],
)  # fmt: skip
def test_classify(before: SessionRecord, after: SessionRecord, kind: ChangeKind | None) -> None:
    assert classify(stored(before), values(after)) is kind


def test_diff_reports_one_change_per_session_and_updates_only_what_differs() -> None:
    rows = [
        stored(BASE, 1),
        stored(replace(BASE, key="k2", title="Same"), 2),
        stored(replace(BASE, key="k3", title="Gone"), 3),
        stored(replace(BASE, key="k4", title="Gone long ago", cancelled=True), 4),
    ]
    incoming = [
        values(replace(BASE, room="Room B")),
        values(replace(BASE, key="k2", title="Same")),
        values(replace(BASE, key="k5", title="New")),
        values(replace(BASE, key="k6", title="New but cancelled", cancelled=True)),
    ]
    diff = diff_programme(rows, incoming, now=NOW)
    assert [(c.session_id, c.kind) for c in diff.changes] == [
        (1, ChangeKind.ROOM_CHANGED),
        (3, ChangeKind.CANCELLED),
    ]
    assert [u["id"] for u in diff.updates] == [1, 3]
    assert diff.updates[1] == {"id": 3, "cancelled": True, "vanished": True, "updated_at": NOW}
    assert [i["key"] for i in diff.inserts] == ["k5", "k6"]
    assert [a["key"] for a in diff.added] == ["k5"]  # cancelled on arrival: nothing to tell
    assert (diff.live_before, diff.vanished) == (3, 1)
    (added,) = diff.added_changes({"k5": 50, "k6": 60})
    assert (added.session_id, added.kind, added.old_start) == (50, ChangeKind.ADDED, None)


def test_a_vanished_session_that_returns_is_restored() -> None:
    row = stored(BASE, cancelled=True, vanished=True)
    diff = diff_programme([row], [values(BASE)], now=NOW)
    assert [c.kind for c in diff.changes] == [ChangeKind.RESTORED]
    assert diff.updates[0]["vanished"] is False and diff.updates[0]["cancelled"] is False


def test_hostile_values_are_fitted_to_the_columns() -> None:
    record = replace(
        BASE,
        key="k" * 5000,
        title="T\x00" * 2000,
        room="R" * 1000,
        persons=tuple(f"P{n}" * 300 for n in range(500)),
        end=BASE.start - timedelta(hours=1),
    )
    fitted = row_values(record, is_ifla=False)
    assert fitted["key"].startswith("sha256:") and len(fitted["key"]) <= KEY_LENGTH
    assert fitted["key"] == stored_key("k" * 5000)  # the same key on every poll
    assert len(fitted["title"]) == 1000 and "\x00" not in fitted["title"]
    assert len(fitted["room"]) == 255 and fitted["room"].endswith("…")
    assert len(fitted["persons"]) == 100 and max(map(len, fitted["persons"])) == 255
    assert fitted["end_at"] == fitted["start_at"]
    assert row_values(record, is_ifla=False) == fitted  # so a re-poll sees no change


def test_backoff() -> None:
    assert backoff_delay(300, 0) == timedelta(minutes=5)
    assert backoff_delay(300, 1) == timedelta(minutes=10)
    assert backoff_delay(300, 3) == timedelta(minutes=40)
    assert backoff_delay(300, 10) == MAX_BACKOFF
    assert backoff_delay(300, 10_000) == MAX_BACKOFF


def test_next_poll_has_bounded_jitter_and_honours_retry_after() -> None:
    moments = {next_poll_at(NOW, 600) for _ in range(50)}
    assert len(moments) > 1
    assert all(NOW + timedelta(seconds=600) <= m <= NOW + timedelta(seconds=660) for m in moments)
    assert next_poll_at(NOW, 60, retry_after=3600, jitter=0) == NOW + timedelta(hours=1)
    assert next_poll_at(NOW, 60, retry_after=10**9, jitter=0) == NOW + MAX_BACKOFF
