"""An analyst's CSV of outside labels: read whole, or refused with the lines at fault and what to do."""

import pytest

from segments.label_files import MAX_BYTES, LabelFileInvalid, label_file_read


def test_a_good_file_gives_one_row_per_id_with_its_line():
    labels = label_file_read("\ufeffvisitor_id,label\nv1,gold\r\nv2, silver \n\nv1,gold\n".encode())
    assert labels.id_column == "visitor_id"
    assert [(row.line, row.id, row.label) for row in labels.rows] == [(2, "v1", "gold"), (3, "v2", "silver")]


@pytest.mark.parametrize(("data", "message"), [
    (b"visitor,label\nv1,gold\n", "Line 1: the header must be 'visitor_id,label' or 'user_id,label'; found 'visitor,label'"),
    (b"user_id,label,extra\nu1,a,b\n", "Line 1: the header must be"),
    (b"", "Line 1: the header must be 'visitor_id,label' or 'user_id,label'; found 'nothing'"),
    (b"user_id,label\nu1,a\nu2,b,c\n", "Line 3: expected 2 values (user_id,label), found 3"),
    (b"user_id,label\nu1,a\n,b\nu3,\n", "Line 3: the user_id is empty; line 4: the label is empty"),
    (b"visitor_id,label\nv1,gold\nv2,silver\nv1,bronze\n", "Line 4: visitor_id 'v1' already has the label 'gold' on line 2"),
    (b"visitor_id,label\nv1,gold\nv2,silver\nv3,caf\xe9\n", "Line 4 is not UTF-8 text (byte 0xe9): save the file as CSV UTF-8"),
    (b"visitor_id,label\n", "The file has a header but no rows"),
    (b'visitor_id,label\nv1,"gold\n', "Line 2: not readable as CSV"),
])
def test_a_bad_file_is_refused_naming_the_line_and_what_to_fix(data, message):
    with pytest.raises(LabelFileInvalid) as refused:
        label_file_read(data)
    assert message in str(refused.value)


def test_a_file_over_50_mb_is_refused_before_it_is_read():
    line = b"visitor_id,label\n" + b"v,a\n" * (MAX_BYTES // 4 + 1)
    with pytest.raises(LabelFileInvalid, match=r"The file is 50.0 MB; the limit is 50 MB \(nothing was read\)"):
        label_file_read(line)
