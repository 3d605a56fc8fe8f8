"""lmparsec.memo: a bounded table empties itself when full and keeps the newest value."""

from __future__ import annotations

from lmparsec.memo import remember


def test_remember_bounds_the_table() -> None:
    memo: dict[int, str] = {}
    for i in range(10):
        assert remember(memo, i, str(i), 4) == str(i)
        assert len(memo) <= 4
        assert memo[i] == str(i)
    assert memo == {8: "8", 9: "9"}
