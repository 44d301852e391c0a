"""xCal: pentabarf's schedule.xcal and RFC 6321, their time forms, people and errors."""

from __future__ import annotations

import pytest

from bot.ingest import ParseError, ParseResult, parse_programme

from .helpers import XML_BOMB, utc

RFC = "urn:ietf:params:xml:ns:icalendar-2.0"


def pentabarf(*events: str) -> bytes:
    body = "".join(f"<vevent>{event}</vevent>" for event in events)
    return (
        '<?xml version="1.0"?><iCalendar xmlns:pentabarf="http://pentabarf.org">'
        f"<vcalendar><x-wr-calname>FOSDEM 2020</x-wr-calname>{body}</vcalendar></iCalendar>"
    ).encode()


def rfc6321(*properties: str) -> bytes:
    body = "".join(f"<vevent><properties>{p}</properties></vevent>" for p in properties)
    return (
        f'<icalendar xmlns="{RFC}"><vcalendar><properties><x-wr-calname><unknown>C</unknown>'
        f"</x-wr-calname></properties><components>{body}</components></vcalendar></icalendar>"
    ).encode()


def _parse(data: bytes, venue: str = "Europe/Brussels") -> ParseResult:
    result = parse_programme(data, venue_tz=venue)
    assert result.format == "xcal"
    return result


def test_a_fosdem_event() -> None:
    result = _parse(
        pentabarf(
            "<uid>9025@FOSDEM20@fosdem.org</uid><pentabarf:event-id>9025</pentabarf:event-id>"
            "<pentabarf:language-code>en</pentabarf:language-code>"
            "<dtstart>20200201T093000</dtstart><duration>0.20000</duration>"
            "<summary>Welcome to FOSDEM 2020</summary><description>&lt;p&gt;Hi&lt;/p&gt;"
            "</description><status>CONFIRMED</status><categories>Keynotes</categories>"
            "<url>https://fosdem.org/2020/schedule/event/keynotes_welcome/</url>"
            "<location>Janson</location><attendee>FOSDEM Staff</attendee>"
        )
    )
    (s,) = result.sessions
    assert (result.title, s.key, s.title, s.room, s.track) == (
        "FOSDEM 2020", "9025@FOSDEM20@fosdem.org", "Welcome to FOSDEM 2020", "Janson", "Keynotes"
    )  # fmt: skip
    assert (s.start, s.end) == (utc("2020-02-01T08:30"), utc("2020-02-01T08:50"))
    assert (s.persons, s.language, s.description) == (("FOSDEM Staff",), "en", "Hi")
    assert result.floating_times == 1


TIMES = {
    "floating basic": ("<dtstart>20200201T103000</dtstart><dtend>20200201T110000</dtend>",
                       "2020-02-01T09:30", "2020-02-01T10:00"),
    "utc basic": ("<dtstart>20200201T103000Z</dtstart><dtend>20200201T110000Z</dtend>",
                  "2020-02-01T10:30", "2020-02-01T11:00"),
    "iso with offset": ("<dtstart>2020-02-01T10:30:00+02:00</dtstart><duration>01:00</duration>",
                        "2020-02-01T08:30", "2020-02-01T09:30"),
    "tzid attribute": ('<dtstart tzid="Europe/London">20200201T103000</dtstart>',
                       "2020-02-01T10:30", "2020-02-01T10:30"),
}  # fmt: skip


@pytest.mark.parametrize(("xml", "start", "end"), TIMES.values(), ids=list(TIMES))
def test_pentabarf_times(xml: str, start: str, end: str) -> None:
    (s,) = _parse(pentabarf(f"<uid>u</uid><summary>T</summary>{xml}")).sessions
    assert (s.start, s.end) == (utc(start), utc(end))


def test_rfc6321_event() -> None:
    tz = "<parameters><tzid><text>Asia/Almaty</text></tzid></parameters>"
    result = _parse(
        rfc6321(
            f"<uid><text>u1</text></uid><summary><parameters><language><text>ru</text>"
            f"</language></parameters><text>Открытие</text></summary>"
            f"<dtstart>{tz}<date-time>2024-06-18T10:00:00</date-time></dtstart>"
            f"<duration><duration>PT1H30M</duration></duration>"
            f"<categories><text>Пленарное</text><text>Открытие</text></categories>"
            f"<attendee><parameters><cn><text>Chair</text></cn><role><text>CHAIR</text></role>"
            f"</parameters><cal-address>mailto:c@e.org</cal-address></attendee>"
            f"<attendee><parameters><cn><text>Guest</text></cn><role><text>REQ-PARTICIPANT"
            f"</text></role></parameters><cal-address>mailto:g@e.org</cal-address></attendee>"
            f"<status><text>CANCELLED</text></status>",
            "<uid><text>u2</text></uid><summary><text>Day</text></summary>"
            "<dtstart><date>2024-06-19</date></dtstart>"
            "<dtend><date-time>2024-06-19T18:00:00Z</date-time></dtend>",
        )
    )
    first, second = result.sessions
    assert (first.start, first.end) == (utc("2024-06-18T05:00"), utc("2024-06-18T06:30"))
    assert (first.track, first.persons, first.language) == ("Пленарное, Открытие", ("Chair",), "ru")
    assert first.cancelled
    assert (second.start, second.end) == (utc("2024-06-18T22:00"), utc("2024-06-19T18:00"))


def test_unknown_tzid_is_a_warning_and_reads_in_the_venue_zone() -> None:
    tz = "<parameters><tzid><text>Mars/Olympus</text></tzid></parameters>"
    result = _parse(rfc6321(f"<uid><text>u</text></uid><dtstart>{tz}<date-time>"
                            f"2024-06-18T10:00:00</date-time></dtstart>"), "UTC")  # fmt: skip
    assert result.sessions[0].start == utc("2024-06-18T10:00")
    assert "unknown TZID 'Mars/Olympus'; its times are read in the venue zone" in result.warnings


def test_an_event_without_a_start_is_skipped_and_named() -> None:
    result = _parse(pentabarf("<uid>a</uid><dtstart>20200201T100000</dtstart>",
                              "<uid>b</uid><dtstart>soon</dtstart>"))  # fmt: skip
    assert [s.key for s in result.sessions] == ["a"]
    assert any(w.startswith("vevent 2 (uid b): ") for w in result.warnings)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (XML_BOMB + b"<iCalendar><vcalendar/></iCalendar>", "xCal: unsafe XML refused"),
        (b"<iCalendar><vcalendar>", "xCal: line 1, column 22: no element found"),
        (b"<iCalendar/>", "xCal: no <vcalendar> element"),
        (b"<calendar/>", "xCal: root element is <calendar>, expected <iCalendar>"),
    ],
)
def test_errors(data: bytes, message: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse_programme(data, format="xcal")
    assert str(caught.value).startswith(message)
