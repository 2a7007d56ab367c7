"""The ratings grid: structural edits (plain unit tests), then the model and the data panel driven like a user."""

from __future__ import annotations

import time
import tracemalloc

import numpy as np
import pytest
from PySide6.QtCore import QItemSelection, QItemSelectionModel, QPoint, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QAbstractItemView, QLineEdit

from aegui.core.data import edits
from aegui.core.data.demo import seed_toy, synthetic
from aegui.core.data.errors import RatingsError
from aegui.core.data.ratings import Ratings
from aegui.qt.data_panel import DataPanel
from aegui.qt.document import Document
from aegui.qt.grid_model import TEST_ROLE

# the offscreen platform warns about every top-level layout; it says nothing about this code


# ====================================================================== edits.py
def test_add_user_and_movie_append_empty_lines():
    r = seed_toy()
    r2 = edits.add_movie(edits.add_user(r, " Zoe "), "Heat")
    assert (r2.n_users, r2.n_movies, r2.n_ratings) == (9, 7, r.n_ratings)
    assert r2.user_ids[-1] == "Zoe" and r2.movie_titles[-1] == "Heat" and r2.movie_ids[-1] == "Heat"
    assert r2.group_names[r2.user_groups[-1]] == "unknown" == r2.group_names[r2.movie_groups[-1]]
    assert r2.group_names[:3] == r.group_names and np.array_equal(r2.to_dense()[:8, :6], r.to_dense())
    numbered = edits.add_movie(synthetic(20, 10, density=0.5, n_genres=2), "New")
    assert numbered.movie_ids[-1] == "11"


@pytest.mark.parametrize("call", [lambda r: edits.add_user(r, "  "), lambda r: edits.add_movie(r, ""),
                                  lambda r: edits.add_movie(r, "Titanic"), lambda r: edits.add_user(r, "Ann"),
                                  lambda r: edits.rename_movie(r, 0, "Alien"), lambda r: edits.rename_user(r, 1, "")])
def test_bad_names_are_refused(call):
    with pytest.raises(RatingsError):
        call(seed_toy())


def test_remove_users_and_movies_keep_the_rest_aligned():
    r = seed_toy()
    dense = r.to_dense()
    r2, kept = edits.remove_users(r, [1, 3])
    assert r2.user_ids == ("Ann", "Cleo", "Eve", "Finn", "Gus", "Hana")
    assert np.array_equal(r2.to_dense(), dense[[0, 2, 4, 5, 6, 7]])
    assert np.array_equal(r.values[kept], r2.values)
    assert np.array_equal(r2.user_groups, r.user_groups[[0, 2, 4, 5, 6, 7]])
    r3, kept3 = edits.remove_movies(r2, [0, 5])
    assert r3.movie_titles == ("Titanic", "Toy Story", "Alien", "Notting Hill")
    assert np.array_equal(r3.to_dense(), dense[[0, 2, 4, 5, 6, 7]][:, 1:5])
    assert np.array_equal(r2.values[kept3], r3.values)
    with pytest.raises(RatingsError):
        edits.remove_users(r, [8])


def test_rename_keeps_ids_and_ratings():
    r = seed_toy()
    r2 = edits.rename_user(edits.rename_movie(r, 1, "Titanic (1997)"), 0, "Anna")
    assert r2.movie_titles[1] == "Titanic (1997)" and r2.movie_ids == r.movie_ids and r2.user_ids[0] == "Anna"
    assert r2.values is r.values and edits.rename_user(r, 0, "Ann").user_ids == r.user_ids


def test_parse_block():
    block = edits.parse_block("4\t\t3,5\r\n1\n\t0.5\n")
    assert np.array_equal(block, [[4, 0, 3.5], [1, 0, 0], [0, 0.5, 0]])
    for text, where in [("1\t2\n3\tabc\n", "row 2, column 2"), ("5\t7", "row 1, column 2"),
                        ("4.25", "row 1, column 1"), ("\tnan", "row 1, column 2"), ("-1", "row 1, column 1")]:
        with pytest.raises(RatingsError, match=where):
            edits.parse_block(text)
    with pytest.raises(RatingsError):
        edits.parse_block("")
    assert [edits.parse_rating(t) for t in ("4", "4,5", " ", "0", "7", "x", "3.3")] == [4, 4.5, 0, 0, None, None, None]


# ====================================================================== the panel, driven
@pytest.fixture
def panel(qtbot):
    doc = Document(seed_toy())
    widget = DataPanel(doc)
    qtbot.addWidget(widget)
    widget.resize(900, 500)
    widget.show()
    qtbot.waitExposed(widget)
    widget.messages = []
    widget.message.connect(widget.messages.append)
    return widget


def cell_value(panel, row, column):
    return panel.doc.ratings.value_at(row, column)


def type_into(qtbot, panel, row, column, text):
    """Open the cell's editor with F2, replace its text by typing, press Return."""
    view = panel.view
    view.setCurrentIndex(panel.model.index(row, column))
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_F2)
    editor = view.viewport().findChild(QLineEdit)
    assert editor is not None and editor.isVisible()
    editor.selectAll()
    qtbot.keyClick(editor, Qt.Key.Key_Backspace)
    if text:
        qtbot.keyClicks(editor, text)
    commit(qtbot, panel, editor)


def commit(qtbot, panel, editor):
    """Press Return in the editor and wait for the (queued) commit."""
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: panel.view.state() != QAbstractItemView.State.EditingState)


def select(panel, top, left, bottom, right, flag=QItemSelectionModel.SelectionFlag.ClearAndSelect):
    model = panel.model
    panel.view.selectionModel().setCurrentIndex(model.index(top, left), QItemSelectionModel.SelectionFlag.NoUpdate)
    panel.view.selectionModel().select(QItemSelection(model.index(top, left), model.index(bottom, right)), flag)


def click_cell(qtbot, panel, row, column, modifier=Qt.KeyboardModifier.NoModifier):
    rect = panel.view.visualRect(panel.model.index(row, column))
    qtbot.mouseClick(panel.view.viewport(), Qt.MouseButton.LeftButton, modifier, rect.center())


def test_typing_a_rating_sets_the_document(qtbot, panel):
    type_into(qtbot, panel, 0, 2, "4")                  # Ann × Toy Story was not rated
    assert cell_value(panel, 0, 2) == 4 and panel.doc.undo_stack.count() == 1
    assert panel.model.index(0, 2).data() == "4"
    # typing straight onto a cell starts the editor with that key
    panel.view.setCurrentIndex(panel.model.index(1, 1))
    qtbot.keyClick(panel.view, "3")
    commit(qtbot, panel, panel.view.viewport().findChild(QLineEdit))
    assert cell_value(panel, 1, 1) == 3
    panel.doc.undo_stack.undo()
    panel.doc.undo_stack.undo()
    assert cell_value(panel, 0, 2) == 0 and panel.model.index(0, 2).data() == ""


def test_half_stars_and_clearing(qtbot, panel):
    type_into(qtbot, panel, 0, 0, "4.5")
    type_into(qtbot, panel, 0, 1, "3,5")
    assert (cell_value(panel, 0, 0), cell_value(panel, 0, 1)) == (4.5, 3.5)
    assert panel.model.index(0, 1).data() == "3.5"
    assert panel.model.index(0, 1).data(Qt.ItemDataRole.ToolTipRole) == "Ann × Titanic: 3.5 ★"
    type_into(qtbot, panel, 0, 1, "")
    type_into(qtbot, panel, 0, 0, "0")
    assert (cell_value(panel, 0, 0), cell_value(panel, 0, 1)) == (0, 0)
    assert panel.model.index(0, 0).data(Qt.ItemDataRole.BackgroundRole) is None


@pytest.mark.parametrize("text", ["7", "abc", "4.2", "-1"])
def test_bad_values_are_refused(qtbot, panel, text):
    before = panel.doc.ratings
    type_into(qtbot, panel, 0, 0, text)
    assert panel.doc.ratings is before and panel.doc.undo_stack.count() == 0
    assert len(panel.messages) == 1
    assert "Ann × The Matrix" in panel.messages[0] and repr(text) in panel.messages[0]
    assert "0.5 to 5 in half stars" in panel.messages[0]


def test_delete_clears_a_selection_in_one_undo_step(qtbot, panel):
    before = panel.doc.ratings
    click_cell(qtbot, panel, 0, 0)
    click_cell(qtbot, panel, 2, 3, Qt.KeyboardModifier.ShiftModifier)
    qtbot.keyClick(panel.view, Qt.Key.Key_Delete)
    assert not panel.doc.ratings.dense_rows(np.arange(3))[:, :4].any()
    assert panel.doc.undo_stack.count() == 1 and panel.messages[-1] == "Cleared 9 rating(s)"
    panel.doc.undo_stack.undo()
    assert np.array_equal(panel.doc.ratings.to_dense(), before.to_dense())
    select(panel, 0, 2, 0, 2)                           # an unrated cell: nothing to do
    qtbot.keyClick(panel.view, Qt.Key.Key_Backspace)
    assert panel.doc.undo_stack.count() == 1 and "No ratings" in panel.messages[-1]


def test_copy_and_paste_blocks(qtbot, panel):
    clipboard = QGuiApplication.clipboard()
    select(panel, 0, 0, 1, 2)
    qtbot.keyClick(panel.view, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert clipboard.text() == "5\t1\t\n4\t\t2\n"
    clipboard.setText("1\t2\n\t4,5\n")
    panel.view.setCurrentIndex(panel.model.index(4, 1))
    qtbot.keyClick(panel.view, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert np.array_equal(panel.doc.ratings.to_dense()[4:6, 1:3], [[1, 2], [0, 4.5]])
    assert panel.doc.undo_stack.count() == 1
    panel.doc.undo_stack.undo()
    assert np.array_equal(panel.doc.ratings.to_dense(), seed_toy().to_dense())


@pytest.mark.parametrize("text, row, column, expected", [
    ("1\t2\n3\tx\n", 0, 0, "row 2, column 2"),
    ("1\t6\n", 0, 0, "row 1, column 2"),
    ("1\t2\n3\t4\n", 7, 0, "past the grid's edge"),
    ("1\t2\t3\n", 0, 4, "past the grid's edge"),
])
def test_bad_pastes_change_nothing(qtbot, panel, text, row, column, expected):
    before = panel.doc.ratings
    QGuiApplication.clipboard().setText(text)
    panel.view.setCurrentIndex(panel.model.index(row, column))
    qtbot.keyClick(panel.view, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert panel.doc.ratings is before and panel.doc.undo_stack.count() == 0
    assert panel.messages[-1].startswith("Paste refused") and expected in panel.messages[-1]


def test_add_users_and_movies_with_undo(qtbot, panel):
    stack, model = panel.doc.undo_stack, panel.model
    panel.ask_text = lambda title, label, value: "Zoe"
    qtbot.mouseClick(panel.buttons["Add user"], Qt.MouseButton.LeftButton)
    assert model.rowCount() == 9 and model.headerData(8, Qt.Orientation.Vertical) == "Zoe"
    assert panel.view.currentIndex().row() == 8
    type_into(qtbot, panel, 8, 0, "2")
    panel.ask_text = lambda title, label, value: "Heat"
    qtbot.mouseClick(panel.buttons["Add movie"], Qt.MouseButton.LeftButton)
    assert model.columnCount() == 7 and model.headerData(6, Qt.Orientation.Horizontal) == "Heat"
    assert "id Heat" in model.headerData(6, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole)
    qtbot.mouseClick(panel.buttons["Add movie"], Qt.MouseButton.LeftButton)      # a duplicate title
    assert model.columnCount() == 7 and "already a movie called 'Heat'" in panel.messages[-1]
    assert stack.count() == 3
    stack.undo()
    assert model.columnCount() == 6
    stack.undo()
    stack.undo()
    assert model.rowCount() == 8 and panel.doc.ratings.n_ratings == seed_toy().n_ratings
    stack.redo()
    stack.redo()
    assert model.rowCount() == 9 and cell_value(panel, 8, 0) == 2
    panel.ask_text = lambda title, label, value: None                           # cancelled
    qtbot.mouseClick(panel.buttons["Add user"], Qt.MouseButton.LeftButton)
    assert model.rowCount() == 9 and stack.index() == 2


def test_remove_selected_users_and_movies_with_undo(qtbot, panel):
    doc, stack = panel.doc, panel.doc.undo_stack
    mask = np.zeros(doc.ratings.n_ratings, dtype=bool)
    mask[doc.ratings.users == 2] = True                 # Cleo's ratings are test cells
    doc.replace_ratings(doc.ratings, mask, "test cells")
    select(panel, 1, 0, 1, 0)
    select(panel, 3, 2, 3, 2, QItemSelectionModel.SelectionFlag.Select)
    qtbot.mouseClick(panel.buttons["Remove selected users"], Qt.MouseButton.LeftButton)
    assert doc.ratings.user_ids == ("Ann", "Cleo", "Eve", "Finn", "Gus", "Hana")
    assert np.array_equal(doc.test_mask, doc.ratings.users == 1)
    assert panel.model.rowCount() == 6 and panel.model.index(1, 0).data(TEST_ROLE)
    select(panel, 0, 0, 0, 1)
    qtbot.mouseClick(panel.buttons["Remove selected movies"], Qt.MouseButton.LeftButton)
    assert doc.ratings.movie_titles == ("Toy Story", "Alien", "Notting Hill", "Finding Nemo")
    assert panel.model.columnCount() == 4 and "Remove 2 movie(s)" in panel.messages[-1]
    stack.undo()
    stack.undo()
    assert doc.ratings.n_users == 8 and np.array_equal(doc.test_mask, mask)
    panel.view.selectionModel().clearSelection()
    qtbot.mouseClick(panel.buttons["Remove selected users"], Qt.MouseButton.LeftButton)
    assert doc.ratings.n_users == 8 and "Select cells" in panel.messages[-1]


def test_rename_by_double_clicking_a_header(qtbot, panel):
    stack, model = panel.doc.undo_stack, panel.model
    asked = []
    panel.ask_text = lambda title, label, value: asked.append((title, value)) or "Titanic (1997)"
    header = panel.view.horizontalHeader()
    x = header.sectionViewportPosition(1) + header.sectionSize(1) // 2
    qtbot.mouseDClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, 5))
    assert asked == [("Rename movie", "Titanic")]
    assert model.headerData(1, Qt.Orientation.Horizontal) == "Titanic (1997)"
    assert panel.doc.ratings.movie_ids[1] == "Titanic"
    assert model.index(2, 1).data(Qt.ItemDataRole.ToolTipRole) == "Cleo × Titanic (1997): 5 ★"
    panel.ask_text = lambda title, label, value: "Cleopatra"
    vertical = panel.view.verticalHeader()
    y = vertical.sectionViewportPosition(2) + vertical.sectionSize(2) // 2
    qtbot.mouseDClick(vertical.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(5, y))
    assert model.headerData(2, Qt.Orientation.Vertical) == "Cleopatra"
    stack.undo()
    stack.undo()
    assert model.headerData(1, Qt.Orientation.Horizontal) == "Titanic"
    assert model.headerData(2, Qt.Orientation.Vertical) == "Cleo"
    panel.ask_text = lambda title, label, value: "Ann"                           # a duplicate: refused
    panel.rename_user(2)
    assert "already a user called 'Ann'" in panel.messages[-1] and stack.index() == 0


def test_test_cells_are_marked_and_editing_one_makes_it_training(qtbot, panel):
    doc, model = panel.doc, panel.model
    mask = (doc.ratings.users == 0) & (doc.ratings.movies == 0)          # Ann × The Matrix
    doc.replace_ratings(doc.ratings, mask, "test cells")
    index = model.index(0, 0)
    assert index.data(TEST_ROLE) and index.data(Qt.ItemDataRole.FontRole).italic()
    assert index.data(Qt.ItemDataRole.ToolTipRole) == "Ann × The Matrix: 5 ★ (held-out test cell)"
    assert not model.index(0, 1).data(TEST_ROLE) and model.index(0, 1).data(Qt.ItemDataRole.FontRole) is None
    assert panel.summary.text() == "8 users × 6 movies · 33 ratings (68.8 %) · 1 held out"
    assert not panel.view.viewport().grab().isNull()                    # paints the marked cell
    type_into(qtbot, panel, 0, 0, "4")
    assert not index.data(TEST_ROLE) and not doc.test_mask.any() and cell_value(panel, 0, 0) == 4
    assert panel.summary.text().endswith("· 0 held out")


def test_apply_test_split(qtbot, panel):
    pytest.importorskip("aegui.core.data.splits")
    panel.split_spin.setValue(30)
    qtbot.mouseClick(panel.buttons["Apply"], Qt.MouseButton.LeftButton)
    doc, held = panel.doc, int(panel.doc.test_mask.sum())
    assert 0 < held < doc.ratings.n_ratings and panel.summary.text().endswith(f"· {held} held out")
    k = int(np.flatnonzero(doc.test_mask)[0])
    index = panel.model.index(int(doc.ratings.users[k]), int(doc.ratings.movies[k]))
    assert index.data(TEST_ROLE) and "(held-out test cell)" in index.data(Qt.ItemDataRole.ToolTipRole)
    doc.undo_stack.undo()
    assert not doc.test_mask.any() and not index.data(TEST_ROLE)


def test_current_row_is_announced(qtbot, panel):
    with qtbot.waitSignal(panel.userSelected) as blocker:
        click_cell(qtbot, panel, 3, 1)
    assert blocker.args == [3]


def test_choosing_a_demo_set_resets_the_document(qtbot, panel):
    doc, combo = panel.doc, panel.demo_combo
    type_into(qtbot, panel, 0, 2, "4")                  # unsaved changes
    panel.confirm_discard = lambda: False
    combo.setFocus()
    qtbot.keyClick(combo, Qt.Key.Key_Down)              # the first demo set: seed-onehot
    assert doc.ratings.source == "seed-toy" and doc.dirty
    panel.confirm_discard = lambda: True
    qtbot.keyClick(combo, Qt.Key.Key_Down)
    assert doc.ratings.source == "seed-onehot" and not doc.dirty and doc.undo_stack.count() == 0
    assert panel.model.rowCount() == 4 and combo.currentIndex() == 0
    assert panel.summary.text() == "4 users × 4 movies · 4 ratings (25.0 %) · 0 held out"


def test_a_movielens_1m_sized_grid_scrolls_without_dense_blocks(qtbot, monkeypatch):
    ratings = synthetic(6040, 3706, n_ratings=1_000_000)

    def refuse(*args, **kwargs):
        raise AssertionError("a dense block was built")

    monkeypatch.setattr(Ratings, "dense_rows", refuse)
    monkeypatch.setattr(Ratings, "to_dense", refuse)
    doc = Document(ratings)
    panel = DataPanel(doc)
    qtbot.addWidget(panel)
    panel.resize(1200, 800)
    panel.show()
    qtbot.waitExposed(panel)
    assert panel.summary.text() == "6,040 users × 3,706 movies · 1,000,000 ratings (4.5 %) · 0 held out"
    model = panel.model
    panel.view.scrollTo(model.index(3000, 1800))
    assert not panel.view.viewport().grab().isNull()   # paints a window far from the origin
    roles = (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.BackgroundRole, TEST_ROLE)
    indexes = [model.index(row, column) for row in range(4000, 4060) for column in range(2000, 2030)]
    model._rows.clear()                                 # a cold window: the row cache is built inside the timing
    start = time.perf_counter()
    texts = [model.data(index, role) for index in indexes for role in roles]
    elapsed = time.perf_counter() - start
    assert elapsed < 0.05, f"{elapsed * 1000:.1f} ms for 60 × 30 cells"
    expected = [ratings.value_at(i.row(), i.column()) for i in indexes]
    assert texts[::3] == [f"{v:g}" if v else "" for v in expected]
    model._rows.clear()
    tracemalloc.start()
    for index in indexes:
        model.data(index, Qt.ItemDataRole.DisplayRole)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 5_000_000                             # one dense 6,040 × 3,706 block would be ~90 MB
