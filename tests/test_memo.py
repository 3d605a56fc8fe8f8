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


def test_view_memos_keep_one_memo_per_owner_and_drop_it_with_the_owner() -> None:
    import gc

    from lmparsec.memo import ViewMemos

    class View:
        pass

    memos = ViewMemos()
    a, b = View(), View()
    memos.of(a)["k"] = 1
    assert memos.of(b) == {}
    memos.of(b)["k"] = 2
    # asked again, in any order, each owner gets its own memo back
    assert memos.of(a) == {"k": 1} and memos.of(a) is memos.of(a)
    assert memos.of(b) == {"k": 2}
    del a
    gc.collect()
    assert len(memos._table) == 1  # (gone with its owner)
    # an owner that takes no weak reference keeps nothing
    memos.of(7)["k"] = 3
    assert memos.of(7) == {}
