"""The main job, end to end, on a fresh machine: `python3 scripts/demo.py`.

Creates .venv (pinned dependencies) if needed, starts the Act! Web API emulator with a realistic dataset
(~60,000 records), runs a real sync with `fivetran debug` into DuckDB, prints what landed, then builds the dbt
package (dbt_act/; dbt has its own .venv-dbt, made and the project parsed while the sync runs) and shows the open
pipeline by stage: a table here and a chart in .demo/pipeline.svg.

It syncs the six default tables plus what the models' contact and activity columns use (users and the link tables
activity_contacts, opportunity_contacts); `--tables all` syncs every table (slower: opportunity_products is one
request per opportunity). `--records contacts=100000,...` sets the emulator's sizes.
"""

import argparse
import sys
import threading
from html import escape
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from venv_bootstrap import ROOT, ensure_venv

ensure_venv()
sys.path.insert(0, str(ROOT))

import shutil  # noqa: E402
import time  # noqa: E402

from tests.dbt.dbt_runner import dbt_vars_for_tables, ensure_dbt_venv, run_dbt, synced_table_names  # noqa: E402
from tests.support.emulator import start_emulator  # noqa: E402
from tests.support.fivetran_run import connector_config, fivetran_debug, make_project  # noqa: E402
from tests.support.warehouse import query, tables  # noqa: E402

SAMPLES = {
    "contacts": "full_name, company, business_address_city, edited, custom_fields_referral_source",
    "companies": "name, industry, revenue, edited",
    "opportunities": "name, status, stage_name, weighted_total, edited",
    "activities": "subject, activity_type_name, start_time, edited",
    "activity_types": "id, name, is_active",
    "products": "name, price, edit_date",
}
DEMO_TABLES = ["contacts", "companies", "opportunities", "activities", "activity_types", "products"] + [
    "users",
    "activity_contacts",
    "opportunity_contacts",
]
PIPELINE_BY_STAGE = """
    SELECT coalesce(sales_process_name, '(no process)'), coalesce(stage_number, 0), coalesce(stage_name, '(no stage)'),
        sum(opportunity_count), coalesce(sum(open_value), 0), coalesce(sum(weighted_value), 0)
    FROM analytics_act.act__opportunity_pipeline
    GROUP BY ALL ORDER BY 1, 2"""


class DbtPreparation(threading.Thread):
    """Makes .venv-dbt (a pip install of ~50 pinned packages) and parses the dbt project while the emulator and the
    sync run: on a fresh machine that is most of the set-up, and it overlaps the sync instead of following it. The
    build then reuses the parse (same variables, same warehouse path, same target folder)."""

    def __init__(self, warehouse: Path, work_dir: Path, dbt_vars: dict) -> None:
        super().__init__(daemon=True)
        self.warehouse, self.work_dir, self.dbt_vars = warehouse, work_dir, dbt_vars
        self.error: BaseException | str | None = None

    def run(self) -> None:
        try:
            ensure_dbt_venv()
            parsed = run_dbt(["parse"], self.warehouse, self.work_dir, self.dbt_vars)
            if parsed.returncode != 0:
                self.error = parsed.stdout[-3000:]
        except BaseException as error:  # reported by wait()
            self.error = error

    def wait(self) -> None:
        self.join()
        if self.error is not None:
            raise SystemExit(f"setting up dbt (.venv-dbt, dbt parse) failed: {self.error}")


def sync(demo_dir: Path, records: str | None, table_names: list[str]) -> Path:
    print("starting the Act! Web API emulator ...", flush=True)
    with start_emulator(records=records, startup_timeout=600) as emulator:
        print(f"emulator listening at {emulator.base_url} (user {emulator.username}, database {emulator.database})")
        project = make_project(demo_dir)
        config = connector_config(
            emulator, batch_size=10000, rate_limit_pause=0.25, request_timeout=60, tables=",".join(table_names)
        )
        print(f"running `fivetran debug` in {project} ({len(table_names)} tables) ...", flush=True)
        result = fivetran_debug(project, config, cli=True, timeout=3600)
        for line in result.output.splitlines():
            if "complete," in line or "SYNC" in line or "generation" in line:
                print("  " + line.strip())
        if not result.succeeded:
            print(result.output[-5000:])
            sys.exit("the sync failed (output above)")
    return project


def show_landed(project: Path) -> None:
    print(f"\nwhat landed in {project / 'files' / 'warehouse.db'} (schema tester):")
    landed = tables(project)
    for table in SAMPLES:
        if table not in landed:
            continue
        count = query(project, f'SELECT count(*) FROM tester."{table}"')[0][0]
        print(f"\n{table}: {count:,} rows")
        for row in query(project, f'SELECT {SAMPLES[table]} FROM tester."{table}" ORDER BY 1 LIMIT 3'):
            print("   ", " | ".join(str(value)[:40] for value in row))
    others = sorted(landed - set(SAMPLES))
    if others:
        counts = [f"{name} {query(project, f'SELECT count(*) FROM tester.{name}')[0][0]:,}" for name in others]
        print("\nalso: " + ", ".join(counts))


def build_models(dbt: DbtPreparation) -> None:
    print("\nbuilding the dbt package (dbt_act: staging models, marts, tests) ...", flush=True)
    dbt.wait()
    started = time.monotonic()
    result = run_dbt(["build"], dbt.warehouse, dbt.work_dir, dbt.dbt_vars)
    summary = [line for line in result.stdout.splitlines() if "Done. PASS=" in line or "Finished running" in line]
    for line in summary:
        print("  " + line.split("  ", 1)[-1].strip())
    if result.returncode != 0:
        print(result.stdout[-5000:])
        sys.exit("dbt build failed (output above)")
    print(f"  dbt build: {time.monotonic() - started:.0f} s; models in schemas analytics_stg_act and analytics_act")


def money(value: float) -> str:
    if abs(value) >= 1e6:
        return f"${value / 1e6:.1f}M"
    return f"${value / 1e3:.0f}k" if abs(value) >= 1e3 else f"${value:.0f}"


def print_pipeline(rows: list[tuple]) -> None:
    print("\nopen pipeline by stage (act__opportunity_pipeline):\n")
    header = ("sales process", "#", "stage", "open", "open value", "weighted value")
    body = [
        (process, str(number), stage, f"{count:,}", f"{value:,.0f}", f"{weighted:,.0f}")
        for process, number, stage, count, value, weighted in rows
    ]
    total = (
        "total",
        "",
        "",
        f"{sum(r[3] for r in rows):,}",
        f"{sum(r[4] for r in rows):,.0f}",
        f"{sum(r[5] for r in rows):,.0f}",
    )
    widths = [max(len(line[i]) for line in [header, *body, total]) for i in range(len(header))]
    right = {1, 3, 4, 5}

    def line(cells) -> str:
        return "  ".join(
            cell.rjust(w) if i in right else cell.ljust(w) for i, (cell, w) in enumerate(zip(cells, widths))
        )

    print("  " + line(header))
    print("  " + "  ".join("-" * w for w in widths))
    for cells in body:
        print("  " + line(cells))
    print("  " + "  ".join("-" * w for w in widths))
    print("  " + line(total))


def pipeline_svg(rows: list[tuple]) -> str:
    """A horizontal bar chart of open value by stage (weighted value inside each bar), grouped by sales process."""
    label_width, bar_width, row_height, top = 260, 520, 28, 70
    peak = max((row[4] for row in rows), default=0) or 1
    height = top + row_height * len(rows) + 24 * len({row[0] for row in rows}) + 40
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{label_width + bar_width + 120}" height="{height}" '
        'font-family="Helvetica, Arial, sans-serif" font-size="13">',
        '<rect width="100%" height="100%" fill="white"/>',
        '<text x="20" y="30" font-size="18" font-weight="bold">Open pipeline by stage</text>',
        '<rect x="20" y="44" width="12" height="12" fill="#9ecae1"/><text x="38" y="55">open value</text>',
        '<rect x="130" y="44" width="12" height="12" fill="#3182bd"/>'
        '<text x="148" y="55">weighted by probability</text>',
    ]
    y, process_seen = top, None
    for process, number, stage, count, value, weighted in rows:
        if process != process_seen:
            y += 6
            parts.append(f'<text x="20" y="{y + 12}" font-weight="bold">{escape(str(process))}</text>')
            y += 24
            process_seen = process
        width, inner = bar_width * value / peak, bar_width * weighted / peak
        parts += [
            f'<text x="{label_width - 8}" y="{y + 17}" text-anchor="end">{number}. {escape(str(stage))} ({count:,})</text>',
            f'<rect x="{label_width}" y="{y + 4}" width="{width:.1f}" height="{row_height - 8}" fill="#9ecae1"/>',
            f'<rect x="{label_width}" y="{y + 4}" width="{inner:.1f}" height="{row_height - 8}" fill="#3182bd"/>',
            f'<text x="{label_width + width + 6:.1f}" y="{y + 17}">{money(value)} ({money(weighted)})</text>',
        ]
        y += row_height
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", default=None, help="emulator sizes, e.g. contacts=100000,companies=20000")
    parser.add_argument("--tables", default=",".join(DEMO_TABLES), help="tables to sync, comma-separated, or `all`")
    args = parser.parse_args()
    started = time.monotonic()
    demo_dir = ROOT / ".demo"
    shutil.rmtree(demo_dir, ignore_errors=True)
    demo_dir.mkdir()
    table_names = synced_table_names() if args.tables == "all" else args.tables.split(",")
    warehouse = demo_dir / "connector" / "files" / "warehouse.db"  # where make_project's copy has it written
    dbt = DbtPreparation(warehouse, demo_dir / "dbt", dbt_vars_for_tables(table_names))
    dbt.start()
    project = sync(demo_dir, args.records, table_names)
    show_landed(project)
    build_models(dbt)
    rows = query(project, PIPELINE_BY_STAGE)
    print_pipeline(rows)
    chart = demo_dir / "pipeline.svg"
    chart.write_text(pipeline_svg(rows))
    print(f"\nchart of open value by stage: {chart}  (open it in a browser)")
    print(f"explore it: duckdb {project / 'files' / 'warehouse.db'}  (raw tables in tester, models in analytics_act)")
    print(f"demo finished in {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
