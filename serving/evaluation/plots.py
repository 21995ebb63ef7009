"""PNG plots for the bench reports (matplotlib, no display)."""

from __future__ import annotations

from pathlib import Path


def bars(title: str, values: dict[str, float], unit: str, path: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axis = plt.subplots(figsize=(7, 0.55 * len(values) + 1.6))
    axis.barh(list(values), list(values.values()), color="tab:blue")
    for row, value in enumerate(values.values()):
        axis.text(value, row, f" {value:g}", va="center")
    axis.set_xlabel(unit)
    axis.set_title(title)
    axis.invert_yaxis()
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return path
