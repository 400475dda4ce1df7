"""Reading intake spreadsheets and writing rejected rows; every fixture file is built here."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import zipfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook

from shotline.adapters.intake_files import (
    neutralise_formula,
    read_intake_file,
    write_rejected_csv,
)
from shotline.domain.errors import IntakeFileError

ACCENTED = "sku,name,notes\nA-1,Café crème,Grüße \u2013 bitte\nB-2,Über,\n"


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def xlsx_bytes(rows: list[list[object]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row_number, values in enumerate(rows, start=1):
        for column, value in enumerate(values, start=1):
            if value is not None:
                sheet.cell(row=row_number, column=column, value=value)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def typed_workbook() -> bytes:
    return xlsx_bytes(
        [
            ["sku", "deadline", "shoot_at", "midnight", "formula", "qty", "weight", "rush"],
            ["A-1", dt.date(2026, 12, 1), dt.datetime(2026, 12, 1, 17, 30), None, "=1+1", 42, 2.5],
            [],
            ["B-2", None, None, dt.datetime(2026, 12, 2), None, None, None, True],
        ]
    )


# --- CSV ------------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
def test_csv_encodings_round_trip(tmp_path: Path, encoding: str) -> None:
    path = write(tmp_path, "intake.csv", ACCENTED.encode(encoding))

    table = read_intake_file(path)

    assert table.headers == ("sku", "name", "notes")
    assert [r.row for r in table.rows] == [2, 3]
    assert table.rows[0].cells == {
        "sku": "A-1",
        "name": "Café crème",
        "notes": "Grüße \u2013 bitte",
    }
    assert table.rows[1].cells["name"] == "Über"


def test_source_and_checksum_identify_the_file(tmp_path: Path) -> None:
    data = ACCENTED.encode("utf-8")
    path = write(tmp_path, "intake.csv", data)

    table = read_intake_file(path)

    assert table.source == "intake.csv"
    assert table.checksum == hashlib.sha256(data).hexdigest()


def test_headers_are_stripped_and_keep_their_spelling(tmp_path: Path) -> None:
    path = write(tmp_path, "intake.csv", "\ufeff Product SKU , Colour Way ,\nA,red,\n".encode())

    table = read_intake_file(path)

    assert table.headers == ("Product SKU", "Colour Way")
    assert table.rows[0].cells == {"Product SKU": "A", "Colour Way": "red"}


def test_blank_rows_are_skipped_but_counted(tmp_path: Path) -> None:
    text = "sku,name\nA,x\n\n , \n,\nB,y\n"
    table = read_intake_file(write(tmp_path, "intake.csv", text.encode()))

    assert [(r.row, r.cells["sku"]) for r in table.rows] == [(2, "A"), (6, "B")]


def test_a_quoted_line_break_is_one_spreadsheet_row(tmp_path: Path) -> None:
    text = 'sku,notes\nA,"first line\nsecond line"\nB,x\n'
    table = read_intake_file(write(tmp_path, "intake.csv", text.encode()))

    assert [(r.row, r.cells["sku"]) for r in table.rows] == [(2, "A"), (3, "B")]
    assert table.rows[0].cells["notes"] == "first line\nsecond line"


@pytest.mark.parametrize("delimiter", [";", "\t", ","])
def test_delimiter_is_sniffed(tmp_path: Path, delimiter: str) -> None:
    rows = [["sku", "name", "price"], ["A", "Shirt, blue; XL", "1,5"], ["B", "Hat", "2,0"]]
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter).writerows(rows)
    table = read_intake_file(write(tmp_path, "intake.csv", buffer.getvalue().encode()))

    assert table.headers == ("sku", "name", "price")
    assert table.rows[0].cells == {"sku": "A", "name": "Shirt, blue; XL", "price": "1,5"}


@pytest.mark.parametrize(
    ("text", "headers"),
    [
        # csv.Sniffer alone calls both of these comma/tab wrongly: quoted or quote-prefixed
        # tabs in the cells look like quoting patterns to it.
        ('sku\tname\r\n\t"\t"\r\n', ("sku", "name")),
        ("sku,name,errors\r\n'\t,,'\t\r\n", ("sku", "name", "errors")),
    ],
)
def test_header_line_overrules_a_fooled_sniffer(
    tmp_path: Path, text: str, headers: tuple[str, ...]
) -> None:
    table = read_intake_file(write(tmp_path, "intake.csv", text.encode()))

    assert table.headers == headers


def test_semicolon_file_with_decimal_commas(tmp_path: Path) -> None:
    text = "sku;name;weight\nA;Shirt;1,5\nB;Hat;2,75\n"
    table = read_intake_file(write(tmp_path, "intake.csv", text.encode()))

    assert table.headers == ("sku", "name", "weight")
    assert table.rows[1].cells == {"sku": "B", "name": "Hat", "weight": "2,75"}


def test_single_column_file_falls_back_to_comma(tmp_path: Path) -> None:
    table = read_intake_file(write(tmp_path, "intake.csv", b"sku\nA\nB\n"))

    assert table.headers == ("sku",)
    assert [r.cells for r in table.rows] == [{"sku": "A"}, {"sku": "B"}]


def test_long_rows_are_cut_and_short_rows_padded_with_none(tmp_path: Path) -> None:
    text = "sku,name,views\nA,x,front,extra,more\nB\n"
    table = read_intake_file(write(tmp_path, "intake.csv", text.encode()))

    assert table.rows[0].cells == {"sku": "A", "name": "x", "views": "front"}
    assert table.rows[1].cells == {"sku": "B", "name": None, "views": None}


def test_csv_values_are_text_and_never_evaluated(tmp_path: Path) -> None:
    text = "sku,qty,formula\n007,42,=1+1\n"
    table = read_intake_file(write(tmp_path, "intake.csv", text.encode()))

    assert table.rows[0].cells == {"sku": "007", "qty": "42", "formula": "=1+1"}


def test_repeated_header_keeps_its_first_column(tmp_path: Path) -> None:
    text = "sku,name,sku,\nA,x,B,ignored\n"
    table = read_intake_file(write(tmp_path, "intake.csv", text.encode()))

    assert table.headers == ("sku", "name", "sku")
    assert table.rows[0].cells == {"sku": "A", "name": "x"}


def test_extension_is_case_insensitive(tmp_path: Path) -> None:
    csv_table = read_intake_file(write(tmp_path, "INTAKE.CSV", b"sku\nA\n"))
    xlsx_table = read_intake_file(write(tmp_path, "Book.XLSX", typed_workbook()))

    assert csv_table.rows[0].cells == {"sku": "A"}
    assert xlsx_table.headers[0] == "sku"


# --- XLSX -----------------------------------------------------------------------------------


def test_xlsx_cells_keep_their_types(tmp_path: Path) -> None:
    table = read_intake_file(write(tmp_path, "intake.xlsx", typed_workbook()))

    assert table.headers == (
        "sku", "deadline", "shoot_at", "midnight", "formula", "qty", "weight", "rush",
    )  # fmt: skip
    first = table.rows[0].cells
    assert first["sku"] == "A-1"
    assert first["deadline"] == dt.date(2026, 12, 1)
    assert type(first["deadline"]) is dt.date
    assert first["shoot_at"] == dt.datetime(2026, 12, 1, 17, 30)
    assert first["midnight"] is None
    assert first["formula"] == "=1+1"
    assert first["qty"] == 42
    assert first["weight"] == 2.5


def test_xlsx_midnight_in_a_datetime_format_stays_a_datetime(tmp_path: Path) -> None:
    table = read_intake_file(write(tmp_path, "intake.xlsx", typed_workbook()))

    second = table.rows[1].cells
    assert second["midnight"] == dt.datetime(2026, 12, 2)
    assert type(second["midnight"]) is dt.datetime
    assert second["rush"] is True


def test_xlsx_blank_rows_are_skipped_but_counted(tmp_path: Path) -> None:
    table = read_intake_file(write(tmp_path, "intake.xlsx", typed_workbook()))

    assert [(r.row, r.cells["sku"]) for r in table.rows] == [(2, "A-1"), (4, "B-2")]


def test_xlsx_reads_the_first_worksheet(tmp_path: Path) -> None:
    workbook = Workbook()
    first = workbook.active
    assert first is not None
    first.append(["sku"])
    first.append(["A"])
    second = workbook.create_sheet("Other")
    second.append(["other"])
    workbook.active = 1
    buffer = io.BytesIO()
    workbook.save(buffer)

    table = read_intake_file(write(tmp_path, "intake.xlsx", buffer.getvalue()))

    assert table.headers == ("sku",)
    assert table.rows[0].cells == {"sku": "A"}


# --- Errors ---------------------------------------------------------------------------------


def assert_error(path: Path, *fragments: str) -> None:
    with pytest.raises(IntakeFileError) as caught:
        read_intake_file(path)
    message = str(caught.value)
    assert "\n" not in message
    assert path.name in message
    for fragment in fragments:
        assert fragment in message


def test_missing_file(tmp_path: Path) -> None:
    assert_error(tmp_path / "nope.csv", "not found")


def test_directory(tmp_path: Path) -> None:
    folder = tmp_path / "folder.csv"
    folder.mkdir()
    assert_error(folder, "directory")


@pytest.mark.parametrize("name", ["intake.csv", "intake.xlsx"])
def test_empty_file(tmp_path: Path, name: str) -> None:
    assert_error(write(tmp_path, name, b""), "empty")


@pytest.mark.parametrize("name", ["intake.xls", "intake.pdf", "intake"])
def test_unsupported_extension(tmp_path: Path, name: str) -> None:
    assert_error(write(tmp_path, name, b"sku\nA\n"), "unsupported", ".csv", ".xlsx")


def test_csv_with_only_a_bom_has_no_header_row(tmp_path: Path) -> None:
    assert_error(write(tmp_path, "intake.csv", b"\xef\xbb\xbf"), "no header row")


@pytest.mark.parametrize("data", [b"\n\nsku\nA\n", b" , ,\nA,B\n"])
def test_header_without_names(tmp_path: Path, data: bytes) -> None:
    assert_error(write(tmp_path, "intake.csv", data), "no column names")


def test_xlsx_without_any_cells(tmp_path: Path) -> None:
    assert_error(write(tmp_path, "intake.xlsx", xlsx_bytes([])))


def test_truncated_xlsx(tmp_path: Path) -> None:
    data = typed_workbook()
    assert_error(write(tmp_path, "intake.xlsx", data[: len(data) // 2]), "as an XLSX workbook")


def test_random_bytes_named_xlsx(tmp_path: Path) -> None:
    data = bytes(range(256)) * 8
    assert_error(write(tmp_path, "intake.xlsx", data), "as an XLSX workbook")


def test_zip_that_is_not_a_workbook(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    assert_error(
        write(tmp_path, "intake.xlsx", buffer.getvalue()),
        "as an XLSX workbook: There is no item named '[Content_Types].xml' in the archive",
    )


def test_xlsx_with_a_damaged_sheet(tmp_path: Path) -> None:
    source = zipfile.ZipFile(io.BytesIO(typed_workbook()))
    buffer = io.BytesIO()
    with source, zipfile.ZipFile(buffer, "w") as damaged:
        for item in source.infolist():
            content = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                content = content[: len(content) // 2]
            damaged.writestr(item, content)
    assert_error(write(tmp_path, "intake.xlsx", buffer.getvalue()), "as an XLSX workbook")


def test_csv_that_is_neither_utf8_nor_cp1252(tmp_path: Path) -> None:
    # 0x81 and 0x8d are undefined in cp1252 and invalid as UTF-8 start bytes.
    assert_error(write(tmp_path, "intake.csv", b"sku\n\x81\x8d\n"), "cannot decode", "UTF-8")


# --- Rejected rows export -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("=SUM(A1)", "'=SUM(A1)"),
        ("+1", "'+1"),
        ("-2", "'-2"),
        ("@x", "'@x"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("plain text", "plain text"),
        ("a=b", "a=b"),
        ("", ""),
    ],
)
def test_neutralise_formula(text: str, expected: str) -> None:
    assert neutralise_formula(text) == expected


def test_rejected_csv_is_safe_and_reads_back(tmp_path: Path) -> None:
    path = tmp_path / "rejected.csv"
    headers = ["row", "sku", "name", "errors"]
    rows = [
        {"row": "2", "sku": "=SUM(A1)", "name": "+1", "errors": "-2"},
        {"row": "3", "sku": "@x", "name": "Café, crème", "errors": "sku: required; view: bad"},
        {"row": "4", "sku": "B-2"},
    ]

    write_rejected_csv(path, headers, rows)

    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    table = read_intake_file(path)
    assert table.headers == ("row", "sku", "name", "errors")
    assert [r.cells for r in table.rows] == [
        {"row": "2", "sku": "'=SUM(A1)", "name": "'+1", "errors": "'-2"},
        {"row": "3", "sku": "'@x", "name": "Café, crème", "errors": "sku: required; view: bad"},
        {"row": "4", "sku": "B-2", "name": "", "errors": ""},
    ]


def test_rejected_csv_into_missing_folder_is_a_plain_error(tmp_path: Path) -> None:
    with pytest.raises(IntakeFileError, match="cannot write"):
        write_rejected_csv(tmp_path / "missing" / "rejected.csv", ["sku"], [])


_cell_text = st.text(
    alphabet=st.characters(exclude_categories=["Cs"], exclude_characters="\x00"),
    max_size=20,
)


@given(
    rows=st.lists(
        st.fixed_dictionaries({"sku": _cell_text, "name": _cell_text, "errors": _cell_text}),
        min_size=1,
        max_size=5,
    )
)
def test_any_rejected_export_reads_back_neutralised(
    tmp_path_factory: pytest.TempPathFactory, rows: list[dict[str, str]]
) -> None:
    path = tmp_path_factory.mktemp("export") / "rejected.csv"
    write_rejected_csv(path, ["sku", "name", "errors"], rows)

    table = read_intake_file(path)

    written = [{k: neutralise_formula(v) for k, v in row.items()} for row in rows]
    assert [r.cells for r in table.rows] == [
        w for w in written if any(v.strip() for v in w.values())
    ]
