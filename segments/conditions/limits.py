"""The limits of a condition, declared once: every check and every message reads them from here."""

MAX_DEPTH = 4  # groups nested inside groups (the top group is depth 1)
MAX_ROWS = 40  # leaves (rows) in one condition
MAX_GROUP_ITEMS = MAX_ROWS  # children of one group
MAX_TEXT_LENGTH = 200  # characters of one text value, pattern or key
MAX_LIST_ITEMS = 50  # values of one list (is one of, includes any of)
MAX_DAYS = 3660  # "within the last N days" goes back at most ten years
MAX_PATTERN_STARS = 8  # wildcards in one `matches` pattern keep matching linear in practice
MAX_NUMBER = 1e15  # the largest magnitude of a number in a condition (fits every database integer and float)
