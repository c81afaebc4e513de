"""The slack report: per bound, the distribution of observed/guaranteed ratios (tightness), the
worst example as JSON and a histogram PNG (docs/verify.rst)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from verify.testing.suites.core import SlackRecorder

__all__ = ["write_slack_report"]


def write_slack_report(recorder: SlackRecorder, out_dir: str | Path, *, meta: dict | None = None) -> Path:
    """Write ``slack.json`` (summary per bound, worst examples) and ``<bound>.png`` histograms of
    ``log10(tightness)`` into ``out_dir``; return the JSON path."""
    import matplotlib  # noqa: PLC0415

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # noqa: PLC0415

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    summary = recorder.summary()
    payload = {"meta": meta or {}, "bounds": summary,
               "explanation": "tightness = observed/guaranteed (upper bounds) or guaranteed/observed "
                              "(lower bounds); 1 = attained, > 1 = violated"}
    path = out / "slack.json"
    path.write_text(json.dumps(payload, indent=2, default=str))
    for bound in summary:
        t = recorder.tightness(bound)
        t = t[t > 0]
        fig, ax = plt.subplots(figsize=(5, 3.2))
        if len(t):
            ax.hist(np.log10(t), bins=min(40, max(5, len(t) // 3)), color="#4477aa")
        ax.axvline(0.0, color="#cc3311", lw=1.5, label="bound attained")
        ax.set_xlabel("log10(tightness)  (0 = attained)")
        ax.set_ylabel("examples")
        ax.set_title(bound)
        ax.legend(loc="upper left", fontsize=8)
        fig.tight_layout()
        fig.savefig(out / f"{bound}.png", dpi=90)
        plt.close(fig)
    return path
