"""The main job, end to end, on a fresh machine: `python3 scripts/demo.py`.

Creates .venv (pinned dependencies) if needed, starts the Act! Web API emulator with a realistic dataset
(~60,000 records), runs a real sync with `fivetran debug` into DuckDB, and prints what landed: rows per table
and a few sample rows. Options: `--records contacts=100000,...` (emulator sizes), `--keep` (leave the emulator
running and print how to sync again).
"""

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from venv_bootstrap import ROOT, ensure_venv

ensure_venv()
sys.path.insert(0, str(ROOT))

import shutil  # noqa: E402

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", default=None, help="emulator sizes, e.g. contacts=100000,companies=20000")
    args = parser.parse_args()
    demo_dir = ROOT / ".demo"
    shutil.rmtree(demo_dir, ignore_errors=True)
    demo_dir.mkdir()
    print("starting the Act! Web API emulator ...", flush=True)
    with start_emulator(records=args.records, startup_timeout=600) as emulator:
        print(f"emulator listening at {emulator.base_url} (user {emulator.username}, database {emulator.database})")
        project = make_project(demo_dir)
        config = connector_config(emulator, batch_size=10000, rate_limit_pause=0.25, request_timeout=60)
        print(f"running `fivetran debug` in {project} ...", flush=True)
        result = fivetran_debug(project, config, cli=True, timeout=3600)
        for line in result.output.splitlines():
            if "complete," in line or "SYNC" in line or "generation" in line:
                print("  " + line.strip())
        if not result.succeeded:
            print(result.output[-5000:])
            sys.exit("the sync failed (output above)")
    print(f"\nwhat landed in {project / 'files' / 'warehouse.db'} (schema tester):")
    landed = tables(project)
    for table in SAMPLES:
        if table not in landed:
            continue
        count = query(project, f'SELECT count(*) FROM tester."{table}"')[0][0]
        print(f"\n{table}: {count:,} rows")
        for row in query(project, f'SELECT {SAMPLES[table]} FROM tester."{table}" ORDER BY 1 LIMIT 3'):
            print("   ", " | ".join(str(value)[:40] for value in row))
    print(f"\nexplore it: duckdb {project / 'files' / 'warehouse.db'}")


if __name__ == "__main__":
    main()
