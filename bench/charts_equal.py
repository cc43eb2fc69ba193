"""Are two report.html files the same page? The charts compared as parsed JSON, the rest byte for byte.

    python -m bench.charts_equal build/before/report.html build/after/report.html

plotly writes the keys of some objects in another order when a chart is built
from plain dicts than when it validates them; the parsed JSON is what the
browser draws. Exit status 0 when the charts parse to equal objects (the same
chart ids, in the same order) and the page outside the chart JSON is
byte-identical.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

_CHART = re.compile(r'(<script type="application/json" id="[^"]+">)(.*?)(</script>)', flags=re.S)


def charts(text: str) -> dict[str, object]:
    """The chart JSON embedded in a report page, parsed, by element id."""
    return {re.search(r'id="([^"]+)"', opening).group(1): json.loads(payload)
            for opening, payload, _ in _CHART.findall(text)}


def main(argv: list[str] | None = None) -> int:
    before, after = (Path(name).read_text(encoding="utf-8") for name in (argv or sys.argv[1:]))
    a, b = charts(before), charts(after)
    same_charts = list(a) == list(b) and a == b
    same_page = _CHART.sub(r"\1\3", before) == _CHART.sub(r"\1\3", after)
    print(f"{len(a)} and {len(b)} charts; equal as parsed JSON: {same_charts}; "
          f"the rest of the page byte-identical: {same_page}")
    return 0 if same_charts and same_page else 1


if __name__ == "__main__":
    raise SystemExit(main())
