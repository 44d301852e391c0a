"""Writes the XLSX fixtures: ``python tests/data/make_xlsx.py`` (needs openpyxl).

* ``programme/programme.xlsx``: the cross-format test programme, laid out as organisers do
  (merged title row, merged day headings, Russian headers, times as cells, serials and text).
* ``library_forum.xlsx``: a CIS library forum in Russian, four sections with moderators.
"""

from __future__ import annotations

from datetime import date, datetime, time
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.worksheet import Worksheet

HERE = Path(__file__).resolve().parent
FIXED = datetime(2024, 5, 1, 12, 0)  # the document dates (zip entry times still vary)


def _book() -> Workbook:
    book = Workbook()
    book.properties.created = FIXED
    book.properties.modified = FIXED
    book.properties.creator = "RemoteHub tests"
    return book


def _merged_row(
    sheet: Worksheet, row: int, width: int, value: object, *, bold: bool = False
) -> None:
    sheet.cell(row, 1, value).font = Font(bold=bold, size=14 if bold else 11)
    sheet.cell(row, 1).alignment = Alignment(horizontal="center")
    sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)


def _rows(sheet: Worksheet, start: int, rows: list[list[object]]) -> None:
    for offset, values in enumerate(rows):
        for column, value in enumerate(values, 1):
            cell = sheet.cell(start + offset, column, value)
            if isinstance(value, time):
                cell.number_format = "HH:MM"
            elif isinstance(value, datetime):
                cell.number_format = "DD.MM.YYYY HH:MM"


def programme() -> None:
    book = _book()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Программа"
    header = ["ID", "Название", "Начало", "Окончание", "Зал", "Секция", "Ссылка", "Трансляция",
              "Докладчики", "Описание", "Статус"]  # fmt: skip
    width = len(header)
    _merged_row(sheet, 1, width, "Test Forum 2024", bold=True)
    _rows(sheet, 3, [header])
    _merged_row(sheet, 4, width, "18 июня 2024 г., вторник")
    live = "https://live.example.org/main-hall"
    page = "https://forum.example.org/sessions/"
    _rows(sheet, 5, [
        ["tf24-1", "Opening plenary", time(9), time(10), "Main Hall", "Plenary", page + "1",
         live, "Anna Ivanova, John Smith", "Welcome & introductions.", None],
        ["tf24-2", "Цифровое будущее: доступ для всех", "11:00", 0.5208333333333334, "Зал 2",
         "Access", page + "2", None, "Иван Петров", "Как сделать интернет доступным.", None],
        ["tf24-3", "Night owls: governance after dark", time(23, 30), time(0, 45), "Room B",
         "Governance", page + "3", None, None, None, None],
    ])  # fmt: skip
    _merged_row(sheet, 8, width, date(2024, 6, 19))
    sheet.cell(8, 1).number_format = "DD.MM.YYYY"
    _rows(sheet, 9, [
        ["tf24-4", "Open data workshop", datetime(2024, 6, 19, 10), datetime(2024, 6, 19, 11),
         "Room B", "Governance", page + "4", None, None, None, "отменено"],
        ["tf24-5", "Closing session", time(16), "16:30", "Main Hall", "Plenary", page + "5", live,
         "Anna Ivanova", None, None],
    ])  # fmt: skip
    book.save(HERE / "programme" / "programme.xlsx")


SECTIONS = {
    1: ("Секция 1. Цифровая библиотека: сервисы и платформы", "Ольга Николаевна Смирнова",
        "Конференц-зал", "https://live.example.by/zal"),
    2: ("Секция 2. Детское и юношеское чтение", "Гульнара Ахметовна Сейтказиева",
        "Аудитория 204", None),
    3: ("Секция 3. Краеведение и культурное наследие", "Арам Грантович Петросян",
        "Аудитория 310", None),
    4: ("Секция 4. Профессиональное образование библиотекарей", "Наталья Викторовна Ковалёва",
        "Малый зал", "https://live.example.by/maly"),
}  # fmt: skip
TALKS = [
    # (day, time, section, title, speakers)
    (15, "10:00–11:30", 1, "Национальные электронные библиотеки стран СНГ: опыт и интеграция",
     "Иванов И. И.; Абдуллаева Н. Р."),
    (15, "10:00–11:30", 2, "Летнее чтение: программы для подростков",
     "Мамедова Л. Т."),
    (15, "12:00–13:30", 3, "Оцифровка краеведческих фондов: от каталога к порталу",
     "Петросян А. Г.; Ильина М. В."),
    (15, "12:00–13:30", 4, "Компетенции библиотекаря 2030",
     "Ковалёва Н. В."),
    (15, "15:00–16:30", 1, "Открытая наука и репозитории вузовских библиотек",
     "Ташкентова Д. А."),
    (16, "10:00–11:30", 2, "Буккроссинг и семейное чтение в сельских библиотеках",
     "Сейтказиева Г. А.; Бекова З. К."),
    (16, "10:00–11:30", 3, "Рукописные книги в собраниях региональных библиотек",
     "Гаспарян Р. С."),
    (16, "12:00–13:30", 4, "Дистанционное обучение: курсы повышения квалификации",
     "Лукашевич О. П."),
    (16, "12:00–13:30", 1, "Искусственный интеллект в каталогизации", "Смирнова О. Н."),
]  # fmt: skip


def library_forum() -> None:
    book = _book()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Программа форума"
    book.create_sheet("Участники").append(["ФИО", "Организация"])
    header = ["Время", "Тема", "Докладчики", "Секция", "Модератор", "Аудитория", "Трансляция"]
    width = len(header)
    _merged_row(sheet, 1, width, "VII Евразийский библиотечный форум", bold=True)
    _merged_row(sheet, 2, width, "Минск, 15–16 октября 2024 года")
    _rows(sheet, 4, [header])
    row = 5
    for day in (15, 16):
        weekday = {15: "вторник", 16: "среда"}[day]
        _merged_row(sheet, row, width, f"{day} октября 2024 г. ({weekday})")
        row += 1
        for talk_day, span, section, title, speakers in TALKS:
            if talk_day != day:
                continue
            name, moderator, room, stream = SECTIONS[section]
            _rows(sheet, row, [[span, title, speakers, name, moderator, room, stream]])
            row += 1
    for column, size in zip("ABCDEFG", (14, 60, 36, 48, 34, 18, 32), strict=True):
        sheet.column_dimensions[column].width = size
    book.save(HERE / "library_forum.xlsx")


if __name__ == "__main__":
    programme()
    library_forum()
