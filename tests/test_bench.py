"""`make bench`'s own pieces, without running it: the ceiling app serves the saved bytes, wrk's
output is read right, and the table prints every row with « – » for what was not measured."""
import importlib
import sys

from tests.bench import format_table, parse_wrk

WRK_OUTPUT = """Running 2s test @ http://127.0.0.1:18767/
  1 threads and 10 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     1.36s   520.27ms   1.81s   100.00%
  Latency Distribution
     50%  812.00us\x20
     75%    1.81s\x20
     90%    1.81s\x20
     99%    1.81s\x20
  4 requests in 2.10s, 560.00B read
  Socket errors: connect 0, read 3, write 0, timeout 2
  Non-2xx or 3xx responses: 1
Requests/sec:      1.91
Transfer/sec:     266.75B
"""


def test_the_ceiling_app_answers_the_saved_page(tmp_path, monkeypatch):
    page = tmp_path / "home.html"
    page.write_bytes("<h1>Bibliothèque</h1>".encode())
    monkeypatch.setenv("BENCH_CEILING_BODY", str(page))
    sys.modules.pop("tests.bench_ceiling", None)
    app = importlib.import_module("tests.bench_ceiling").application
    started = []
    body = b"".join(app({}, lambda status, headers: started.append((status, dict(headers)))))
    assert body == page.read_bytes()
    assert started == [("200 OK", {"Content-Type": "text/html; charset=utf-8", "Content-Length": str(len(body))})]


def test_wrk_output_is_read_in_milliseconds_with_its_errors():
    assert parse_wrk(WRK_OUTPUT) == {"rps": 1.91, "p50": 0.812, "p99": 1810.0, "errors": 3}


def test_the_table_has_one_line_per_row_and_dashes_for_the_missing_figures():
    table = format_table([
        {"label": "plafond", "rps": 9400.0, "p50": 1.04, "p99": 3.2, "ratio": 1.0, "errors": 0},
        {"label": "/faq/ sans cache", "rps": 250.0, "p50": 38.0, "p99": 61.0, "queries": 4, "ratio": 0.0266, "errors": 0},
        {"label": "PDF", "p50": 640.0},
    ]).splitlines()
    assert len(table) == 5 and len({len(line) for line in table}) == 1
    assert [cell.strip() for cell in table[3].strip("|").split("|")] == \
        ["/faq/ sans cache", "250", "38.0", "–", "61.0", "4", "2.7 %", "0"]
    assert [cell.strip() for cell in table[4].strip("|").split("|")][1:] == ["–", "640.0", "–", "–", "–", "–", "–"]
