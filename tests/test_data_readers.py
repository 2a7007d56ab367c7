"""Reading and writing ratings files: formats, titles, round trips and every located error."""

from __future__ import annotations

import os

import numpy as np
import pytest

from aegui.core.data import (FORMATS, Ratings, RatingsError, detect_format, load_ratings, synthetic,
                             write_csv_grid, write_movielens)
from aegui.core.data import csv_grid, file_checks, movielens
from aegui.core.data.demo import ml1m_like, seed_toy

ML_FORMATS = ("ml-100k", "ml-dat", "ml-csv")


def put(folder, name: str, content: str | bytes) -> str:
    path = folder / name
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return str(path)


def assert_same(a: Ratings, b: Ratings) -> None:
    np.testing.assert_array_equal(a.users, b.users)
    np.testing.assert_array_equal(a.movies, b.movies)
    np.testing.assert_array_equal(a.values, b.values)
    assert a.user_ids == b.user_ids and a.movie_ids == b.movie_ids


def error_of(path, format=None) -> RatingsError:
    with pytest.raises(RatingsError) as info:
        load_ratings(path, format=format)
    return info.value


def assert_error(path, line, column, text, format=None) -> None:
    e = error_of(path, format)
    assert (e.file, e.line, e.column) == (path, line, column), str(e)
    assert text in e.message, str(e)


# ====================================================================== detection
@pytest.mark.parametrize("name, content, expected", [
    ("x.csv", "196\t242\t3\t881250949\n186\t302\t3\t891717742\n", "ml-100k"),
    ("ratings.csv", "1::1193::5::978300760\n", "ml-dat"),
    ("u.data", "userId,movieId,rating,timestamp\n1,31,2.5,1260759144\n", "ml-csv"),
    ("grid.dat", "1,31,2.5,1260759144\n", "ml-csv"),
    ("ratings.dat", "\ufeffuser,Titanic,Alien\nann,5,\n", "csv-grid"),
    ("u.data", "user\tA\tB\tC\nann\t1\t2\t3\n", "csv-grid"),
    ("x.txt", "x\t1\t2\t3\n1\t2\t3\t4\n1\t3\t3\t4\n", "ml-100k"),       # most lines decide
    ("g.tsv", "user\tA\tB\tC\n1\t5\t3\t4\n2\t3\t3\t4\n", "csv-grid"),    # unless line 1 is a header
])
def test_format_is_detected_by_content_not_name(tmp_path, name, content, expected):
    path = put(tmp_path, name, content)
    assert detect_format(path) == expected
    if not content.startswith("x"):
        assert load_ratings(path).source == expected


def test_detect_format_on_empty_or_missing_file(tmp_path):
    with pytest.raises(RatingsError, match="empty file"):
        detect_format(put(tmp_path, "e", " \n\n"))
    with pytest.raises(RatingsError, match="cannot read"):
        detect_format(tmp_path / "absent")


def test_format_can_be_forced_and_must_be_known(tmp_path):
    path = put(tmp_path, "x", "user\tA\tB\tC\nann\t3\t4\t5\n")
    assert load_ratings(path).source == "csv-grid"
    assert_error(path, 1, 1, "user id 'user' is not a number", format="ml-100k")
    with pytest.raises(RatingsError, match="unknown format 'xls'; expected one of " + ", ".join(FORMATS)):
        load_ratings(path, format="xls")


# ====================================================================== MovieLens reading
def test_movielens_ids_are_remapped_in_numeric_order(tmp_path):
    path = put(tmp_path, "u.data", "10\t7\t3\t0\n9\t100\t4\t0\n100\t7\t5\t0\n10\t20\t1\t0\n")
    r = load_ratings(path)
    assert r.user_ids == ("9", "10", "100") and r.movie_ids == ("7", "20", "100")
    assert r.movie_titles == r.movie_ids and r.movie_groups is None
    np.testing.assert_array_equal(r.to_dense(), [[0, 0, 4], [3, 1, 0], [5, 0, 0]])


def test_ratings_csv_half_stars_and_header(tmp_path):
    path = put(tmp_path, "ratings.csv", "userId,movieId,rating,timestamp\r\n1,31,2.5,1\r\n1,29,3.5,2\r\n2,31,5.0,3\r\n")
    r = load_ratings(path)
    assert r.values.tolist() == [3.5, 2.5, 5] and r.summary()["half_stars"]


def test_blank_lines_are_skipped_and_counted(tmp_path):
    path = put(tmp_path, "r.dat", "1::1::5::0\n\n2::1::4::0\n  \n\n")
    assert load_ratings(path).n_ratings == 2
    path = put(tmp_path, "s.dat", "1::1::5::0\n\n2::1::4::0\n2::2::9::0\n")
    assert_error(path, 4, 3, "rating 9 is not a rating (expected 0.5..5 in half stars)")


def test_exact_duplicates_collapse_and_conflicts_are_errors(tmp_path):
    path = put(tmp_path, "u.data", "1\t1\t4\t0\n1\t2\t3\t0\n1\t1\t4\t9\n")
    assert load_ratings(path).n_ratings == 2
    path = put(tmp_path, "v.data", "1\t1\t4\t0\n1\t2\t3\t0\n2\t2\t3\t0\n1\t2\t5\t0\n1\t1\t2\t0\n")
    assert_error(path, 4, 3, "rating 5 conflicts with rating 3 for the same user and movie on line 2")


@pytest.mark.parametrize("fmt", ML_FORMATS)
def test_movielens_round_trip(tmp_path, fmt):
    r = synthetic(80, 50, density=0.2, seed=4, half_stars=True)
    path = str(tmp_path / "ratings")
    write_movielens(r, path, fmt)
    back = load_ratings(path)
    assert back.source == fmt
    assert_same(back, r)


@pytest.mark.parametrize("fmt", ML_FORMATS)
def test_plain_files_take_the_vectorised_path(tmp_path, monkeypatch, fmt):
    """Shuffled lines, half stars, CRLF and a missing last newline need no line-by-line reading."""
    r = synthetic(50, 30, density=0.3, seed=5, half_stars=True)
    write_movielens(r, tmp_path / "ratings", fmt)
    header, *lines = (tmp_path / "ratings").read_text().splitlines(keepends=True)
    lines = [header] + list(np.random.default_rng(0).permutation(lines)) if fmt == "ml-csv" else \
        list(np.random.default_rng(0).permutation([header] + lines))
    (tmp_path / "ratings").write_bytes("".join(lines).replace("\n", "\r\n").rstrip().encode())
    monkeypatch.setattr(movielens, "_slow_columns", None)
    assert_same(load_ratings(tmp_path / "ratings"), r)


def test_unusual_but_valid_lines_are_read_line_by_line(tmp_path):
    path = put(tmp_path, "r.dat", "1::1::5::0\n +2:: 3 ::3.50::0010\n\n1::3::4.::0\n1::7::.5::0\n")
    r = load_ratings(path)
    assert r.user_ids == ("1", "2") and r.movie_ids == ("1", "3", "7")
    np.testing.assert_array_equal(r.to_dense(), [[5, 4, 0.5], [0, 3.5, 0]])


def test_movielens_text_layouts(tmp_path):
    r = Ratings.from_triples([0, 1], [1, 0], [4, 3.5], user_ids=["7", "8"], movie_ids=["1", "42"])
    expected = {"ml-100k": "7\t42\t4\t0\n8\t1\t3.5\t0\n", "ml-dat": "7::42::4::0\n8::1::3.5::0\n",
                "ml-csv": "userId,movieId,rating,timestamp\n7,42,4.0,0\n8,1,3.5,0\n"}
    for fmt, text in expected.items():
        write_movielens(r, tmp_path / fmt, fmt)
        assert (tmp_path / fmt).read_text() == text


def test_one_million_ratings_round_trip(tmp_path):
    r = ml1m_like(seed=1)
    path = tmp_path / "ratings.dat"
    write_movielens(r, path, "ml-dat")
    assert_same(load_ratings(path), r)


# ====================================================================== titles beside the ratings
def test_titles_and_genres_from_u_item(tmp_path):
    flags = ["0"] * 19
    comedy, drama = flags.copy(), flags.copy()
    comedy[5] = drama[8] = "1"
    u_item = ("1|Toy Story (1995)|01-Jan-1995||http://x|" + "|".join(comedy) + "\n"
              "2|Amélie (2001)|01-Jan-2001||http://y|" + "|".join(drama) + "\n"
              "5|Not rated (1990)|||http://z|" + "|".join(flags) + "\n")
    put(tmp_path, "u.item", u_item.encode("latin-1"))
    r = load_ratings(put(tmp_path, "u.data", "1\t1\t5\t0\n1\t2\t4\t0\n2\t3\t1\t0\n"))
    assert r.movie_titles == ("Toy Story (1995)", "Amélie (2001)", "3")
    assert r.group_names == ("Comedy", "Drama", "unknown")
    assert r.movie_groups.tolist() == [0, 1, 2]


@pytest.mark.parametrize("encoding", ["latin-1", "utf-8"])
def test_titles_from_movies_dat(tmp_path, encoding):
    put(tmp_path, "movies.dat", "1::Toy Story (1995)::Animation|Children's\n2::Léon (1994)::Crime|Drama\n"
                                .encode(encoding))
    r = load_ratings(put(tmp_path, "ratings.dat", "1::2::5::0\n2::1::3::0\n"))
    assert r.movie_titles == ("Toy Story (1995)", "Léon (1994)")
    assert [r.group_names[g] for g in r.movie_groups] == ["Animation", "Crime"]


def test_titles_from_movies_csv_with_quoted_commas(tmp_path):
    put(tmp_path, "movies.csv", 'movieId,title,genres\n1,"Good, the Bad (1966)",Western\n2,Heat (1995),'
                                'Action|Crime\n')
    r = load_ratings(put(tmp_path, "ratings.csv", "userId,movieId,rating,timestamp\n1,1,4.5,0\n1,2,3,0\n"))
    assert r.movie_titles == ("Good, the Bad (1966)", "Heat (1995)")
    assert r.group_names == ("Action", "Western") and r.movie_groups.tolist() == [1, 0]


def test_malformed_titles_file_is_located(tmp_path):
    titles = put(tmp_path, "movies.dat", "1::Toy Story::Comedy\nabc::Heat::Crime\n")
    with pytest.raises(RatingsError) as info:
        load_ratings(put(tmp_path, "ratings.dat", "1::1::5::0\n"))
    assert (info.value.file, info.value.line, info.value.column) == (titles, 2, 1)


# ====================================================================== MovieLens errors
@pytest.mark.parametrize("content", [b"", b"  \n\n", b"\r\n"])
def test_empty_file(tmp_path, content):
    assert_error(put(tmp_path, "r.dat", content), None, None, "empty file")


def test_header_only(tmp_path):
    assert_error(put(tmp_path, "ratings.csv", "userId,movieId,rating,timestamp\n"), 1, None,
                 "no ratings after the header")


def test_nul_bytes_are_binary_data(tmp_path):
    path = put(tmp_path, "u.data", b"1\t2\t3\t4\n5\t6\x00\t7\t8\n")
    assert_error(path, 2, 2, "binary data (NUL byte)")
    path = put(tmp_path, "ratings.csv", b"userId,movieId,rating,timestamp\n1,2,3,4\n1,3,\x00,4\n")
    assert_error(path, 3, 3, "binary data (NUL byte)")


def test_a_nul_past_the_sniffed_head_is_located_in_the_whole_file(tmp_path):
    """Detection reads only the head; the reader finds a later NUL itself, by line, field and file offset
    (the header and the lines before it counted), also when the format is given."""
    header = "userId,movieId,rating,timestamp\n"
    lines = "".join(f"{u},1,4,0\n" for u in range(1, 8001))
    assert len(header) + len(lines) > 65536
    path = put(tmp_path, "ratings.csv", (header + lines).encode() + b"9001,2\x00,3,0\n")
    offset = len(header) + len(lines) + len("9001,2")
    for format in (None, "ml-csv"):
        assert_error(path, 8002, 2, f"binary data (NUL byte), not a ratings file: the first is at offset {offset}",
                     format)


def test_undecodable_bytes_are_binary_data(tmp_path):
    assert_error(put(tmp_path, "r.dat", b"1::2::3::4\n1::3::\xff\xfe::4\n"), 2, 3,
                 r"rating holds binary or non-text bytes b'\xff\xfe'")


@pytest.mark.parametrize("line, column, found", [("1::2::3", 4, 3), ("1::2::3::4::5", 5, 5), ("1", 2, 1)])
def test_wrong_field_count(tmp_path, line, column, found):
    path = put(tmp_path, "r.dat", f"1::1::5::0\n{line}\n")
    assert_error(path, 2, column, f"expected 4 fields (user, movie, rating, timestamp), found {found}")


def test_wrong_field_count_in_tab_and_comma_files(tmp_path):
    assert_error(put(tmp_path, "u.data", "1\t1\t5\t0\n1\t2\t5\n"), 2, 4, "found 3")
    assert_error(put(tmp_path, "ratings.csv", "userId,movieId,rating,timestamp\n1,2,5,0,9\n"), 2, 5, "found 5")


@pytest.mark.parametrize("line, column, text", [
    ("1\tx\t3\t0", 2, "movie id 'x' is not a number"),
    ("1\t2\t3\tyesterday", 4, "timestamp 'yesterday' is not a number"),
    ("1\t2\t\t0", 3, "rating is empty"),
    ("1.5\t2\t3\t0", 1, "user id 1.5 is not a whole number"),
    ("1\t2e3\t3\t0", 2, "movie id 2e3 is not a whole number"),
    ("99999999999999999999\t2\t3\t0", 1, "user id 99999999999999999999 is too large"),
    ("-3\t2\t3\t0", 1, "user id -3 is negative"),
    ("1\t-2\t3\t0", 2, "movie id -2 is negative"),
])
def test_bad_fields(tmp_path, line, column, text):
    assert_error(put(tmp_path, "u.data", f"1\t1\t5\t0\n1\t7\t4\t0\n{line}\n"), 3, column, text)


@pytest.mark.parametrize("rating, text", [
    ("nan", "rating nan is not a finite number"),
    ("inf", "rating inf is not a finite number"),
    ("7", "rating 7 is not a rating (expected 0.5..5 in half stars)"),
    ("0", "rating 0 is not a rating"),
    ("-1", "rating -1 is not a rating"),
    ("3.3", "rating 3.3 is not a rating"),
    ("0.25", "rating 0.25 is not a rating"),
])
def test_bad_ratings(tmp_path, rating, text):
    path = put(tmp_path, "ratings.csv", f"userId,movieId,rating,timestamp\n1,1,4.5,0\n1,2,{rating},0\n2,1,9,0\n")
    assert_error(path, 3, 3, text)


def test_first_problem_wins(tmp_path):
    """A conflict on line 3 is reported before a bad rating on line 4, and vice versa; a bad duplicate is bad."""
    path = put(tmp_path, "u.data", "1\t1\t4\t0\n2\t1\t4\t0\n1\t1\t5\t0\n3\t3\t8\t0\n")
    assert_error(path, 3, 3, "conflicts with rating 4")
    path = put(tmp_path, "v.data", "1\t1\t4\t0\n2\t1\t8\t0\n1\t1\t5\t0\n")
    assert_error(path, 2, 3, "rating 8 is not a rating")
    path = put(tmp_path, "w.data", "1\t1\t4\t0\n1\t1\t7\t0\n")
    assert_error(path, 2, 3, "rating 7 is not a rating")


def test_file_over_the_size_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(file_checks, "MAX_FILE_BYTES", 10)
    assert_error(put(tmp_path, "r.dat", "1::1::5::0\n2::1::4::0\n"), None, None,
                 "file is 22 bytes, over the limit of 10 bytes")


def test_missing_file(tmp_path):
    with pytest.raises(RatingsError, match="cannot read"):
        load_ratings(tmp_path / "absent.dat", format="ml-dat")


# ====================================================================== CSV grids
def test_grid_reading(tmp_path):
    path = put(tmp_path, "g.csv", 'user,Titanic,"Good, Bad",Alien\nann,5,,0.5\n\nbob,0,3.5,\n')
    r = load_ratings(path)
    assert r.user_ids == ("ann", "bob") and r.movie_titles == r.movie_ids == ("Titanic", "Good, Bad", "Alien")
    np.testing.assert_array_equal(r.to_dense(), [[5, 0, 0.5], [0, 3.5, 0]])


@pytest.mark.parametrize("text", ["user;A;B\nann;3,5;\nbob;;4\n", "user\tA\tB\nann\t3.5\t\nbob\t\t4\n"])
def test_grid_semicolon_and_tab(tmp_path, text):
    r = load_ratings(put(tmp_path, "g.txt", text))
    np.testing.assert_array_equal(r.to_dense(), [[3.5, 0], [0, 4]])


def test_grid_round_trip(tmp_path):
    r = seed_toy()
    write_csv_grid(r, tmp_path / "toy.csv")
    back = load_ratings(tmp_path / "toy.csv")
    assert_same(back, r)
    assert back.movie_titles == r.movie_titles
    assert (tmp_path / "toy.csv").read_text().splitlines()[:2] == [
        "user,The Matrix,Titanic,Toy Story,Alien,Notting Hill,Finding Nemo", "Ann,5,1,,4,,2"]


def test_grid_writer_disambiguates_repeated_titles(tmp_path):
    r = Ratings.from_triples([0, 0], [0, 1], [1, 2], movie_ids=["1", "2"], movie_titles=["Heat", "Heat"])
    write_csv_grid(r, tmp_path / "g.csv")
    assert load_ratings(tmp_path / "g.csv").movie_titles == ("Heat [1]", "Heat [2]")


@pytest.mark.parametrize("text, line, column, message", [
    ("user,A,B\n", 1, None, "header only: no user rows"),
    ("user\n", 1, None, "the header names no movies"),
    ("user,A,B,A\nann,1,2,3\n", 1, 4, "movie title 'A' appears twice (also in column 2)"),
    ("user,A,,C\nann,1,2,3\n", 1, 3, "empty movie title"),
    ("user,A,B\nann,1,2\nbob,1\n", 3, 3, "row has 2 cells but the header has 3"),
    ("user,A,B\nann,1,2,4\n", 2, 4, "row has 4 cells but the header has 3"),
    ("user,A,B\nann,1,2\nann,3,4\n", 3, 1, "user 'ann' appears twice (also on line 2)"),
    ("user,A,B\nann,1,two\n", 2, 3, "cell 'two' is not a number"),
    ("user,A,B\nann,1,2\nbob,-1,2\n", 3, 2, "rating -1 is not a rating (expected 0.5..5 in half stars); 0 or empty"),
    ("user,A,B\nann,1,7\n", 2, 3, "rating 7 is not a rating"),
    ("user,A,B\nann,1,2.2\n", 2, 3, "rating 2.2 is not a rating"),
    ("user,A,B\nann,nan,2\n", 2, 2, "rating nan is not a finite number"),
])
def test_grid_errors(tmp_path, text, line, column, message):
    assert_error(put(tmp_path, "g.csv", text), line, column, message)


def test_grid_binary_junk(tmp_path):
    assert_error(put(tmp_path, "g.csv", b"user,A,B\nann,1,2\nbob,\x00\x01,3\n"), 3, 2,
                 "binary data (NUL byte), not a ratings file: the first is at offset 21")
    assert_error(put(tmp_path, "j.csv", b"user,A,B\nann,1,2\nbob,\x01,3\n"), 3, 2,
                 "binary data (control character 0x01)")
    assert_error(put(tmp_path, "h.csv", b"user,A,B\nann,1,\x81\x81\n"), 2, 3,
                 "not text: byte 0x81 is neither UTF-8 nor Windows-1252")


def test_grid_in_windows_1252_is_read(tmp_path):
    r = load_ratings(put(tmp_path, "g.csv", "user,Amélie\nzoë,4\n".encode("cp1252")))
    assert r.movie_titles == ("Amélie",) and r.user_ids == ("zoë",)


# ====================================================================== writers
def test_grid_writer_refuses_large_sets(tmp_path, monkeypatch):
    monkeypatch.setattr(csv_grid, "MAX_GRID_CELLS", 47)
    with pytest.raises(RatingsError, match="8 × 6 = 48 cells is too large for a CSV grid"):
        write_csv_grid(seed_toy(), tmp_path / "g.csv")
    assert not os.listdir(tmp_path)


def test_movielens_writer_refuses_unknown_format(tmp_path):
    with pytest.raises(RatingsError, match="unknown format 'csv-grid'; expected one of ml-100k, ml-dat, ml-csv"):
        write_movielens(seed_toy(), tmp_path / "r", "csv-grid")


def test_names_are_written_as_numbers(tmp_path):
    write_movielens(seed_toy(), tmp_path / "r.dat", "ml-dat")
    back = load_ratings(tmp_path / "r.dat")
    assert back.user_ids == tuple(str(k) for k in range(1, 9)) and back.n_ratings == seed_toy().n_ratings


def test_writes_are_atomic(tmp_path, monkeypatch):
    path = tmp_path / "r.dat"
    path.write_text("old")
    write_movielens(seed_toy(), path, "ml-dat")
    assert os.listdir(tmp_path) == ["r.dat"] and path.read_text().startswith("1::1::5::0\n")

    def broken_fsync(fd):
        raise OSError("disk full")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(OSError, match="disk full"):
        write_csv_grid(seed_toy(), path)
    assert os.listdir(tmp_path) == ["r.dat"] and path.read_text().startswith("1::1::5::0\n")
