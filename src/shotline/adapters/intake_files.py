"""Read intake spreadsheets (CSV, XLSX) into raw tables; write rejected rows back out as CSV."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import warnings
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.styles.numbers import is_datetime
from openpyxl.worksheet.formula import ArrayFormula

from shotline.domain.errors import IntakeFileError
from shotline.domain.intake.cells import as_text
from shotline.domain.intake.model import CellValue, IntakeTable, RawRow

SUPPORTED_EXTENSIONS = (".csv", ".xlsx")
_SNIFF_CHARS = 8192
_DELIMITERS = ",;\t"
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_BOM = "\ufeff"


def read_intake_file(path: Path) -> IntakeTable:
    """Read a .csv or .xlsx intake file; IntakeFileError with a plain message if it can't be."""
    data = _read_bytes(path)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_EXTENSIONS:
        raise IntakeFileError(
            f"{path.name}: unsupported file type {path.suffix or '(none)'!r}; "
            f"expected one of {', '.join(SUPPORTED_EXTENSIONS)}"
        )
    if not data:
        raise IntakeFileError(f"{path.name} is empty")
    grid = _csv_grid(path.name, data) if suffix == ".csv" else _xlsx_grid(path.name, data)
    headers, rows = _table(path.name, grid)
    return IntakeTable(
        source=path.name,
        checksum=hashlib.sha256(data).hexdigest(),
        headers=headers,
        rows=rows,
    )


def neutralise_formula(text: str) -> str:
    """Prefix `'` to text a spreadsheet would run as a formula (CSV injection); else unchanged."""
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def write_rejected_csv(
    path: Path, headers: Sequence[str], rows: Sequence[Mapping[str, str]]
) -> None:
    """Write rows (missing cells blank) as UTF-8-with-BOM CSV that Excel opens safely."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow([neutralise_formula(h) for h in headers])
    for row in rows:
        writer.writerow([neutralise_formula(row.get(h, "")) for h in headers])
    try:
        path.write_text(buffer.getvalue(), encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise IntakeFileError(f"cannot write {path}: {_one_line(exc)}") from None


def _read_bytes(path: Path) -> bytes:
    if path.is_dir():
        raise IntakeFileError(f"{path} is a directory, not an intake file")
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise IntakeFileError(f"intake file {path} not found") from None
    except OSError as exc:
        raise IntakeFileError(f"cannot read {path}: {_one_line(exc)}") from None


def _table(
    name: str, grid: Iterable[Sequence[CellValue]]
) -> tuple[tuple[str, ...], tuple[RawRow, ...]]:
    """Header from row 1, then one RawRow per non-blank row, numbered as a spreadsheet shows."""
    lines = iter(grid)
    first = next(lines, None)
    if first is None:
        raise IntakeFileError(f"{name} has no header row")
    headers = _headers(first)
    if not any(headers):
        raise IntakeFileError(f"{name} has no column names in row 1 (the header row)")
    rows = [
        RawRow(number, _cells(headers, values))
        for number, values in enumerate(lines, start=2)
        if not _blank(values)
    ]
    return headers, tuple(rows)


def _headers(values: Sequence[CellValue]) -> tuple[str, ...]:
    names = [as_text(v).lstrip(_BOM).strip() for v in values]
    while names and not names[-1]:
        names.pop()
    return tuple(names)


def _cells(headers: Sequence[str], values: Sequence[CellValue]) -> dict[str, CellValue]:
    cells: dict[str, CellValue] = {}
    for index, header in enumerate(headers):
        # Unnamed columns carry nothing a field can use; a repeated name keeps its first column,
        # matching validation, which ignores the repeat.
        if header and header not in cells:
            cells[header] = values[index] if index < len(values) else None
    return cells


def _blank(values: Sequence[CellValue]) -> bool:
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in values)


def _csv_grid(name: str, data: bytes) -> list[list[str]]:
    text = _decode(name, data)
    try:
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text)))
    except csv.Error as exc:
        raise IntakeFileError(f"cannot read {name} as CSV: {_one_line(exc)}") from None


def _decode(name: str, data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        # Excel on Windows saves "CSV" in the ANSI code page, which is cp1252 in the West.
        return data.decode("cp1252")
    except UnicodeDecodeError:
        raise IntakeFileError(
            f"cannot decode {name}: it is neither UTF-8 nor Windows-1252 text; "
            "save it as 'CSV UTF-8' and try again"
        ) from None


def _delimiter(text: str) -> str:
    """csv.Sniffer's pick, unless the header line lacks it but holds another candidate."""
    header = text.split("\n", 1)[0]
    counts = {d: header.count(d) for d in _DELIMITERS}
    sniffed = _sniff(text)
    if counts[sniffed] or not any(counts.values()):
        return sniffed
    # Cell text (quotes, stray tabs) can fool the sniffer; column names rarely hold delimiters.
    return max(_DELIMITERS, key=counts.__getitem__)


def _sniff(text: str) -> str:
    sample = text[:_SNIFF_CHARS]
    if len(text) > _SNIFF_CHARS and "\n" in sample:
        # A cut-off last line would skew the per-line delimiter counts.
        sample = sample[: sample.rindex("\n") + 1]
    try:
        return csv.Sniffer().sniff(sample, delimiters=_DELIMITERS).delimiter
    except csv.Error:
        return ","


def _xlsx_grid(name: str, data: bytes) -> list[list[CellValue]]:
    try:
        with warnings.catch_warnings():
            # openpyxl warns about Excel features it drops (extensions, validation): noise here.
            warnings.simplefilter("ignore", UserWarning)
            return _xlsx_rows(name, data)
    except IntakeFileError:
        raise
    except Exception as exc:
        # A damaged archive surfaces as almost any exception type from zipfile, XML or openpyxl.
        raise IntakeFileError(f"cannot read {name} as an XLSX workbook: {_one_line(exc)}") from None


def _xlsx_rows(name: str, data: bytes) -> list[list[CellValue]]:
    # From memory, so no file handle can be left open when openpyxl fails half way.
    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    try:
        if not workbook.worksheets:
            raise IntakeFileError(f"{name} has no worksheet")
        sheet = workbook.worksheets[0]
        # Some tools write a wrong size into the sheet; trusting it would silently drop rows.
        sheet.reset_dimensions()
        return [[_xlsx_value(cell) for cell in row] for row in sheet.iter_rows()]
    finally:
        workbook.close()


def _xlsx_value(cell: Any) -> CellValue:
    value = cell.value
    if isinstance(value, dt.datetime):
        if value.time() == dt.time() and is_datetime(cell.number_format) == "date":
            return value.date()
        return value
    if value is None or isinstance(value, str | int | float | bool | dt.date):
        return value
    if isinstance(value, ArrayFormula):
        return str(value.text)
    # Times, durations and data-table formulas: keep their text rather than guess a meaning.
    return value.isoformat() if isinstance(value, dt.time) else str(value)


def _one_line(exc: BaseException) -> str:
    # str(KeyError) wraps its message in quotes; args[0] is the bare text.
    single = len(exc.args) == 1 and isinstance(exc.args[0], str)
    text = " ".join((exc.args[0] if single else str(exc)).split())
    return (text or type(exc).__name__)[:200]
