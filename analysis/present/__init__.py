"""Present: paper figures (matplotlib), report charts (plotly) and the HTML report."""
