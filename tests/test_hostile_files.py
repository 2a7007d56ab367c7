"""Hostile ratings files: special files are refused before a byte is read, binary and UTF-16 data from
the first bytes, odd CSV (huge fields, CR-only line ends) with a message naming file and line; and a
property-based fuzz of the readers: any bytes either load or raise RatingsError, nothing else."""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aegui.cli import main
from aegui.core.data.errors import RatingsError
from aegui.core.data.readers import load_ratings


def test_a_fifo_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "ratings.csv"
    os.mkfifo(fifo)
    with pytest.raises(RatingsError, match="not a regular file"):
        load_ratings(fifo)   # opening a FIFO for reading would wait for a writer forever


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom", "/dev/null"])
def test_devices_are_refused_before_reading(device):
    if not os.path.exists(device):
        pytest.skip(f"{device} is not here")
    with pytest.raises(RatingsError, match="not a regular file"):
        load_ratings(device)


def test_a_folder_is_refused(tmp_path):
    with pytest.raises(RatingsError, match="is a folder"):
        load_ratings(tmp_path)


def test_a_huge_binary_file_is_refused_from_its_first_bytes(tmp_path):
    big = tmp_path / "big.csv"
    with open(big, "wb") as f:
        f.write(b"user,Heat (1995),Jumanji\x00")   # a NUL at offset 24 …
        f.truncate(1 << 30)                          # … in a (sparse) 1 GiB file
    with pytest.raises(RatingsError, match="binary data \\(NUL byte\\).*at offset 24"):
        load_ratings(big)


def test_utf16_is_named_with_how_to_convert_it(tmp_path):
    path = tmp_path / "grid.csv"
    path.write_text("user,Heat,Jumanji\nann,4,5\n", encoding="utf-16")
    with pytest.raises(RatingsError, match="UTF-16 text; save it as UTF-8"):
        load_ratings(path)


def test_a_field_over_the_csv_limit_is_a_message(tmp_path):
    path = tmp_path / "grid.csv"
    path.write_text("user,Heat,Jumanji\nann,4,5\nbob,\"" + "x" * 200_000 + "\",3\n")
    with pytest.raises(RatingsError, match="field larger than field limit") as info:
        load_ratings(path)
    assert "grid.csv:3" in str(info.value)


def test_cr_only_line_ends_load(tmp_path):
    path = tmp_path / "grid.csv"
    path.write_bytes(b"user,Heat,Jumanji\rann,4,5\rbob,,3\r")
    r = load_ratings(path)
    assert (r.n_users, r.n_movies, r.n_ratings) == (2, 2, 3) and r.user_ids == ("ann", "bob")


def test_the_cli_says_what_and_where(tmp_path, capsys):
    fifo = tmp_path / "u.data"
    os.mkfifo(fifo)
    assert main(["inspect", str(fifo)]) == 2
    assert "not a regular file" in capsys.readouterr().err


SEPARATORS = st.sampled_from([b",", b";", b"\t", b"::", b"|", b"\n", b"\r", b"\r\n", b" "])
TOKENS = st.one_of(st.integers(-10, 10**6).map(lambda v: str(v).encode()),
                   st.floats(allow_nan=True, allow_infinity=True, allow_subnormal=False).map(lambda v: repr(v).encode()),
                   st.sampled_from([b"user", b"userId", b"movieId", b"rating", b"timestamp", b"", b"\"", b"0x10",
                                    b"1.0", b"-1", b"\xef\xbb\xbf", b"\x00", b"\xff\xfe", b"4.5", b"5", b"0"]),
                   st.binary(max_size=6))


@settings(max_examples=300, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(TOKENS, SEPARATORS), max_size=60), st.sampled_from(["ratings.csv", "u.data", "r.dat"]))
def test_any_bytes_load_or_raise_a_ratings_error(tmp_path, parts, name):
    path = tmp_path / name
    path.write_bytes(b"".join(t + s for t, s in parts))
    try:
        r = load_ratings(path)
    except RatingsError as exc:
        assert str(exc) and name in str(exc)
    else:
        assert r.n_ratings == len(r.values) and (r.values >= 0.5).all() and (r.values <= 5).all()


@pytest.mark.parametrize("name, content, message", [
    ("c.data", "-1\t10\t4\t88\n", "user id -1 is negative"),           # a grid's "header only" before
    ("d.csv", "1,0x10,4,88\n", "movie id '0x10' is not a number"),
    ("b.data", "1.0\t10\t4\t88\n2\t20\t5\t88\n", "user id 1.0 is not a whole number"),
    ("m.data", "1\t10\t4\n2\t20\t5\t99\n", "expected 3 fields (user, movie, rating), found 4"),
])
def test_movielens_lines_get_movielens_messages(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_text(content)
    with pytest.raises(RatingsError, match=message.replace("(", "\\(").replace(")", "\\)").replace("[", "\\[")):
        load_ratings(path)


def test_ratings_without_timestamps_load(tmp_path):
    (tmp_path / "u.data").write_text("1\t10\t4\n2\t20\t5\n3\t10\t3\n")
    (tmp_path / "ratings.csv").write_text("userId,movieId,rating\n1,10,4.5\n2,20,5\n")
    a, b = load_ratings(tmp_path / "u.data"), load_ratings(tmp_path / "ratings.csv")
    assert (a.n_users, a.n_movies, a.n_ratings, a.source) == (3, 2, 3, "ml-100k")
    assert (b.n_ratings, float(b.values.max()), b.source) == (2, 5.0, "ml-csv")
