"""Offline evaluation: ALS beats popularity on a temporal hold-out; the CSV path is robust."""
import gzip
import io

import pytest
from django.core.management import CommandError, call_command

from ecom_ai.recommendations.data import read_csv
from ecom_ai.recommendations import services as service


def test_als_beats_popularity_in_ndcg_on_the_shops_hold_out(shop):
    out = io.StringIO()
    figures = service.evaluate(out=out, seed=0)
    assert figures["users_evaluated"] >= 30
    assert figures["als.ndcg@10"] > 1.5 * figures["popular.ndcg@10"], out.getvalue()
    assert figures["ndcg_ratio"] > 1.5
    table = out.getvalue()
    assert "ndcg@10" in table and "coverage" in table and "popular" in table and "x" in table


def _write_csv(path, rows, *, header=True, compress=False):
    text = ("user,item,timestamp,weight\n" if header else "") + "".join(",".join(map(str, r)) + "\n" for r in rows)
    if compress:
        path.write_bytes(gzip.compress(text.encode()))
    else:
        path.write_text(text)
    return path


def _taste_rows():
    """Two groups of users who like two groups of items; later interactions continue the taste."""
    rows = []
    t = 1_700_000_000
    for u in range(40):
        group = u % 2
        items = [f"item-{group}-{j}" for j in range(8)]
        for step, j in enumerate(((u * 3) % 8, (u * 5 + 1) % 8, (u * 7 + 2) % 8, (u + 3) % 8, (u * 3 + 4) % 8)):
            rows.append((f"user{u}", items[j], t + step * 86400 + u, 1))
        rows.append((f"user{u}", items[(u * 3) % 8], t + 60, 2))               # a duplicate
    rows += [("lonely", "item-x", t + 10 * 86400, 1)]                            # a user with one interaction
    rows += [("user1", "brand-new-item", t + 9 * 86400, 1)]                       # a cold item at test time
    rows += [("popular-fan", f"item-0-{j}", t + j, 1) for j in range(3)]
    return rows


def test_csv_evaluation_with_string_ids_duplicates_and_gzip(tmp_path):
    path = _write_csv(tmp_path / "tiny.csv.gz", _taste_rows(), compress=True)
    out = io.StringIO()
    figures = service.evaluate(out=out, csv=str(path), seed=0)
    assert figures["users_evaluated"] > 0
    for key in ("als.precision@10", "als.recall@10", "als.ndcg@10", "als.coverage", "popular.ndcg@10"):
        assert 0.0 <= figures[key] <= 1.0
    assert "ndcg@10" in out.getvalue()


def test_csv_reader_understands_headers_iso_times_and_skips_bad_rows(tmp_path):
    path = tmp_path / "ml.csv"
    path.write_text("userId,movieId,rating,timestamp\n1,10,4.0,964982703\n1,11,5,2000-08-01T10:00:00Z\n2,,3,964982703\n"
                    "3,12,4,not-a-time\n")
    log = read_csv(path)
    assert list(log.users) == ["1", "1"] and list(log.items) == ["10", "11"]
    assert list(log.weight) == [4.0, 5.0] and log.skipped == 2


def test_csv_problems_are_clear_command_errors(tmp_path):
    with pytest.raises(CommandError, match="No such CSV"):
        call_command("ecom_ai", "evaluate", "recommendations", "--csv", str(tmp_path / "missing.csv"))
    bad = tmp_path / "bad.csv"
    bad.write_text("just,two\n")
    with pytest.raises(CommandError, match="expected user,item,timestamp"):
        call_command("ecom_ai", "evaluate", "recommendations", "--csv", str(bad))


def test_evaluate_command_prints_the_table(tmp_path):
    path = _write_csv(tmp_path / "tiny.csv", _taste_rows())
    out = io.StringIO()
    call_command("ecom_ai", "evaluate", "recommendations", "--csv", str(path), stdout=out)
    assert "precision@10" in out.getvalue() and "als" in out.getvalue()
