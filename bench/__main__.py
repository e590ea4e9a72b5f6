"""python -m bench: measure what a run costs at each size and write docs/benchmarks.md."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from bench import report
from bench.bases import ROOT
from bench.run import FULL, QUICK, run


@click.command()
@click.option("--sizes", default="1000,10000,100000", show_default=True, help="Bases to measure, in leads.")
@click.option("--quick", is_flag=True, help="A smoke run: few naive rows and emails (pair it with small --sizes).")
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=ROOT / "docs" / "benchmarks.md",
    show_default=True,
    help="The markdown file to write.",
)
def main(sizes: str, quick: bool, out: Path) -> None:
    """Measure one run on a Google Sheet (the local emulator) and on the local workbook at each size,
    against the floor and the naive way, and 1,000 emails over SMTP; write the results as markdown.

    Example: python -m bench --sizes 1000,10000
    """
    scale = QUICK if quick else FULL
    results = run([int(s) for s in sizes.split(",")], scale, progress=lambda line: click.echo(line, err=True))
    results["machine"] = report.machine()
    command = (
        "python -m bench"
        + ("" if sizes == "1000,10000,100000" else f" --sizes {sizes}")
        + (" --quick" if quick else "")
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(report.markdown(results, scale, command), encoding="utf-8")
    out.with_suffix(".json").write_text(json.dumps(results, indent=1), encoding="utf-8")  # to compare runs
    click.echo(f"wrote {out} and {out.with_suffix('.json').name}", err=True)


if __name__ == "__main__":
    main(sys.argv[1:])
