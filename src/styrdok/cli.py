"""The `styrdok` command: check, build, and (in later parts) export, decide, due, new."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .check import check_project, print_problems
from .load import find_root


def cmd_check(args) -> int:
    handbook, problems = check_project(args.root)
    print_problems(problems, only_errors=args.bara_fel)
    if problems.errors:
        return 1
    if not problems.items:
        print("Inga problem hittades.", file=sys.stderr)
    return 0


def cmd_build(args) -> int:
    from .site.build import BuildError, build_site
    handbook, problems = check_project(args.root)
    print_problems(problems)
    if problems.errors or handbook is None:
        print("Bygget avbröts: inget i site/ har ändrats.", file=sys.stderr)
        return 1
    site_dir = (args.root / "site") if args.site is None else args.site
    try:
        build_site(args.root, site_dir)
    except BuildError as exc:
        print(f"fel: {exc}\nBygget avbröts: inget i site/ har ändrats.", file=sys.stderr)
        return 1
    print(f"Handboken är byggd i {site_dir}.", file=sys.stderr)
    return 0


def cmd_schema(args) -> int:
    from .schemas import stale_schemas, write_schemas
    if args.kontrollera:
        stale = stale_schemas(args.root)
        for rel in stale:
            print(f"{rel}: fel: schemat stämmer inte med modellen. Kör 'styrdok schema' och checka in filen.",
                  file=sys.stderr)
        return 1 if stale else 0
    for path in write_schemas(args.root):
        print(f"Skrev {path.relative_to(args.root)}", file=sys.stderr)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="styrdok", description="Styrdokument och ledningssystem som kod.")
    parser.add_argument("--root", type=Path, default=None,
                        help="handbokens mapp (den som har data/ och docs/); standard: närmaste uppåt")
    sub = parser.add_subparsers(dest="command", required=True, metavar="KOMMANDO")

    p = sub.add_parser("check", help="kontrollera alla källfiler och visa alla problem på en gång")
    p.add_argument("--bara-fel", action="store_true", help="visa bara fel, inte varningar")
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("build", help="kontrollera och bygg webbplatsen och Word-filerna")
    p.add_argument("--site", type=Path, default=None, help="målmapp för webbplatsen (standard: site/)")
    p.set_defaults(func=cmd_build)

    p = sub.add_parser("schema", help="skriv JSON-scheman för editorer (schemas/, .vscode/settings.json)")
    p.add_argument("--kontrollera", action="store_true", help="kontrollera bara att schemana är aktuella")
    p.set_defaults(func=cmd_schema)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    args.root = (args.root or find_root()).resolve()
    return args.func(args)
