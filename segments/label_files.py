"""Reading an analyst's CSV of outside labels (a survey answer, a CRM tier) per visitor or user id (pure).

The file is UTF-8 (a byte-order mark is allowed), comma-separated, with a header naming two columns: `visitor_id`
or `user_id`, then `label`. Every problem is reported with the line it is on, and nothing is returned unless the
whole file is good.
"""

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass

MAX_BYTES = 50 * 1024 * 1024
ID_COLUMNS = ("visitor_id", "user_id")
MAX_FIELD = 200
MAX_ERRORS = 5


class LabelFileInvalid(ValueError):
    """A label file that cannot be used; the message names the lines and says what to fix."""


@dataclass(frozen=True)
class LabelRow:
    line: int
    id: str
    label: str


@dataclass(frozen=True)
class LabelFile:
    """The id column's name (visitor_id or user_id) and one row per id, in file order."""

    id_column: str
    rows: tuple[LabelRow, ...]


def size_check(size: int) -> None:
    """Refuse a file over MAX_BYTES before reading it."""
    if size > MAX_BYTES:
        raise LabelFileInvalid(f"The file is {size / 1024 / 1024:.1f} MB; the limit is {MAX_BYTES // 1024 // 1024} MB "
                               "(nothing was read). Split it, or keep only the id and label columns.")


def decoded(data: bytes) -> str:
    """The file's text, or an error naming the first line that is not UTF-8."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise LabelFileInvalid(f"Line {line} is not UTF-8 text (byte 0x{data[error.start]:02x}): save the file as "
                               "CSV UTF-8 and upload it again.") from None


def header_read(fields: list[str]) -> str:
    names = [field.strip().lower() for field in fields]
    if len(names) != 2 or names[0] not in ID_COLUMNS or names[1] != "label":
        found = ",".join(fields) if fields else "nothing"
        raise LabelFileInvalid(f"Line 1: the header must be 'visitor_id,label' or 'user_id,label'; found '{found}'.")
    return names[0]


def row_problem(fields: list[str], id_column: str) -> str | None:
    if len(fields) != 2:
        return f"expected 2 values ({id_column},label), found {len(fields)}"
    if not fields[0].strip():
        return f"the {id_column} is empty"
    if not fields[1].strip():
        return "the label is empty"
    if max(len(fields[0]), len(fields[1])) > MAX_FIELD:
        return f"a value is longer than {MAX_FIELD} characters"
    return None


def records(reader) -> Iterator[tuple[int, list[str]]]:
    """(line the record starts on, its fields), with an unreadable record reported at the line it starts on."""
    while True:
        start = reader.line_num + 1
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise LabelFileInvalid(f"Line {start}: not readable as CSV ({error}); check its quotes.") from None
        yield start, fields


def label_file_read(data: bytes) -> LabelFile:
    """Return the rows of a label file, or raise LabelFileInvalid naming the lines at fault (at most five)."""
    size_check(len(data))
    lines = records(csv.reader(io.StringIO(decoded(data), newline=""), strict=True))
    id_column = header_read(next(lines, (1, []))[1])
    rows, errors, seen = [], [], {}
    for line, fields in lines:
        if not any(field.strip() for field in fields):
            continue  # blank lines (a trailing newline or two) are harmless
        problem = row_problem(fields, id_column)
        key = fields[0].strip() if not problem else None
        if key is not None and key in seen and seen[key].label != fields[1].strip():
            problem = f"{id_column} '{key}' already has the label '{seen[key].label}' on line {seen[key].line}"
        if problem:
            errors.append(f"line {line}: {problem}")
            if len(errors) == MAX_ERRORS:
                break
        elif key not in seen:
            seen[key] = LabelRow(line, key, fields[1].strip())
            rows.append(seen[key])
    if errors:
        text = "; ".join(errors)
        raise LabelFileInvalid(f"{text[0].upper()}{text[1:]}. Fix these lines and upload the file again.")
    if not rows:
        raise LabelFileInvalid("The file has a header but no rows: add one line per visitor (id,label).")
    return LabelFile(id_column, tuple(rows))
