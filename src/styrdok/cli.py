"""The `styrdok` command: check, build, and (in later parts) export, decide, due, new."""
from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from .check import check_project, print_problems
from .load import Project, find_root


def cmd_check(args) -> int:
    from .memo import session
    with session(args.root):
        handbook, problems = check_project(args.root)
    if args.format != "text":
        from .report import as_gitlab, as_json
        shown = problems
        if args.bara_fel:
            from .problems import Problems
            shown = Problems()
            shown.extend(problems.errors)
        print(as_json(shown) if args.format == "json" else as_gitlab(shown))
        return 1 if problems.errors else 0
    print_problems(problems, only_errors=args.bara_fel)
    if problems.errors:
        return 1
    if not problems.errors and not problems.warnings:
        print("Inga problem hittades.", file=sys.stderr)
    return 0


def cmd_build(args) -> int:
    from .publish import publish
    skip = frozenset(args.utan or ()) | ({"word"} if args.utan_word else set())
    only = args.bara or ("word" if args.bara_word else None)
    if only and only in skip:
        print(f"fel: --bara {only} och --utan {only} går inte ihop. Välj det ena.", file=sys.stderr)
        return 2
    return publish(args.root, (args.root / "site") if args.site is None else args.site, skip=skip, only=only)


def cmd_preview(args) -> int:
    from .preview.server import serve
    return serve(args.root, args.port)


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


def _load_or_report(args, acts_on: list[str] | None = None):
    """Load the handbook for a command that changes or reports on it; None after printing errors.

    acts_on: the documents (ids or paths) the command works on, [] for none (new, due): a fel in
    another page under docs/ (a draft with the guidance of `styrdok new` still in it) stops the
    build, not this command, which names it in one line. None, or a document that cannot be found:
    every fel stops it."""
    from .decided import is_changed_problem
    handbook, problems = check_project(args.root)
    # A document changed since its decision (a fel under andringar_efter_beslut: stoppa) must not stop
    # the commands that record the decision or prepare it.
    problems.items = [p for p in problems.items if not (p.severity == "fel" and is_changed_problem(p.message))]
    elsewhere: list = []
    if handbook is not None and acts_on is not None:
        files = _files_of(handbook, args.root, acts_on)
        if files is not None:
            project = Project(args.root)
            docs = f"{project.rel(project.docs)}/"
            elsewhere = [p for p in problems.errors
                         if p.file.startswith(docs) and p.file.endswith(".md") and p.file not in files]
            problems.items = [p for p in problems.items if p not in elsewhere]
    if handbook is None or problems.errors:
        print_problems(problems, only_errors=True)
        print("Rätta felen ovan först (styrdok check visar dem).", file=sys.stderr)
        return None
    if elsewhere:
        pages = sorted({p.file for p in elsewhere})
        print(f"obs: {len(elsewhere)} fel i {', '.join(pages[:3])}{' …' if len(pages) > 3 else ''} stoppar bygget "
              "men inte det här kommandot (styrdok check visar dem).", file=sys.stderr)
    return handbook


def _files_of(handbook, root, refs: list[str]) -> set[str] | None:
    """The files of the documents refs name; None if one of them cannot be found (its errors may be why)."""
    from .control import ControlError, find_document
    try:
        return {find_document(handbook, Project(root), ref).file for ref in refs}
    except ControlError:
        return None


def _today(args) -> dt.date:
    from .load import current_date
    return current_date()


def cmd_accessibility(args) -> int:
    """Test the built site with axe-core in Chromium; write data/tillganglighetsgranskning.yml."""
    from .load import current_date
    from .site.granskning import GranskningError, audit, write_result
    from .tillganglighet import RESULT_FILE
    site = (args.root / "site") if args.site is None else args.site
    try:
        verktyg, sidor, brister = audit(site)
    except GranskningError as exc:
        print(f"fel: {exc}", file=sys.stderr)
        return 2
    target = args.root / "data" / RESULT_FILE
    write_result(target, current_date(), verktyg, sidor, brister)
    if brister:
        print(f"{len(brister)} brister mot WCAG 2.1 nivå A och AA på {sidor} sidor ({verktyg}):", file=sys.stderr)
        for b in brister:
            wcag = f" (WCAG {', '.join(b.wcag)})" if b.wcag else ""
            antal = "1 sida" if len(b.sidor) == 1 else f"{len(b.sidor)} sidor"
            print(f"  {b.beskrivning}{wcag}: {antal}, t.ex. {b.sidor[0]} [{b.regel}]", file=sys.stderr)
    else:
        print(f"Inga brister mot WCAG 2.1 nivå A och AA på {sidor} sidor ({verktyg}).", file=sys.stderr)
    print(f"Skrev {target.relative_to(args.root)}. Bygg igen (styrdok build) så visar "
          "tillgänglighetsredogörelsen resultatet.", file=sys.stderr)
    return 0


def cmd_due(args) -> int:
    from .overdue import due_items, format_due
    handbook = _load_or_report(args, acts_on=[])
    if handbook is None:
        return 2
    today = _today(args)
    items = due_items(handbook, today)
    print(format_due(items, today))
    return 1 if any(i.overdue for i in items) else 0


def cmd_decide(args) -> int:
    from .control import ANDRING, ControlError, record_decision
    from .load import Project
    handbook = _load_or_report(args, acts_on=[args.dokument])
    if handbook is None:
        return 2
    andring = ANDRING["utan" if args.utan_andring else "mindre" if args.mindre_andring else
                      "ny" if args.ny else "redaktionell" if args.redaktionell else "revidering"]
    if andring == "redaktionell":
        from .control import find_document
        try:
            doc = find_document(handbook, Project(args.root), args.dokument)
        except ControlError as exc:
            print(f"fel: {exc}\nInget har ändrats.", file=sys.stderr)
            return 1
        args.instans = args.instans or doc.dokumentansvarig.id
        args.datum = args.datum or _today(args).isoformat()
    if not args.instans or not args.datum:
        print("fel: ange --instans och --datum (de behövs för ett beslut; bara --redaktionell klarar sig utan).",
              file=sys.stderr)
        return 2
    try:
        datum = dt.date.fromisoformat(args.datum)
        galler = dt.date.fromisoformat(args.galler_fran) if args.galler_fran else None
    except ValueError as exc:
        print(f"fel: ogiltigt datum ({exc}). Skriv datum som 2026-03-12.", file=sys.stderr)
        return 2
    try:
        doc, tag = record_decision(handbook, Project(args.root), args.dokument, instans=args.instans, datum=datum,
                                   paragraf=args.paragraf, dnr=args.dnr, andring=andring, galler_fran=galler,
                                   today=_today(args), skal=args.skal)
    except ControlError as exc:
        print(f"fel: {exc}\nInget har ändrats.", file=sys.stderr)
        return 1
    what = "Den redaktionella ändringen" if andring == "redaktionell" else "Beslutet"
    print(f"{what} är registrerad i {doc.file}, incheckad och taggad som {tag}." if andring == "redaktionell"
          else f"Beslutet är registrerat i {doc.file}, incheckat och taggat som {tag}.", file=sys.stderr)
    if andring == "redaktionell" or not handbook.kommun.arkivexemplar:
        return 0
    return _archive(args, doc.id, after_decision=True)


def _archive(args, doc_ref: str, *, after_decision: bool = False) -> int:
    """The latest decision's archive copy (PDF/A-2b) of a document, from a fresh load of the handbook."""
    from .archive import ArchiveError, archive_decision
    from .control import ControlError, find_document
    from .load import Project, load_handbook
    handbook, problems = load_handbook(args.root)
    try:
        if handbook is None:
            raise ArchiveError("handboken kunde inte läsas in; kör styrdok check")
        project = Project(args.root)
        path = archive_decision(handbook, project, find_document(handbook, project, doc_ref))
    except (ArchiveError, ControlError) as exc:
        again = f" Gör det sedan med 'styrdok arkivera {doc_ref}'." if after_decision else ""
        print(f"fel: {'Beslutet är registrerat, men ' if after_decision else ''}arkivexemplaret (PDF/A-2b) kunde "
              f"inte göras: {exc}{again} ('arkivexemplar: false' i data/kommun.yml stänger av arkivexemplaren.)",
              file=sys.stderr)
        return 1
    print(f"Arkivexemplaret (PDF/A-2b) är skrivet: {path.relative_to(args.root)}", file=sys.stderr)
    return 0


def cmd_archive(args) -> int:
    return _archive(args, args.dokument)


def cmd_new(args) -> int:
    from .control import ControlError, new_document
    from .load import Project
    handbook = _load_or_report(args, acts_on=[])
    if handbook is None:
        return 2
    try:
        path = new_document(handbook, Project(args.root), args.typ, args.titel, enhet=args.enhet,
                            ansvarig=args.ansvarig, today=_today(args))
    except ControlError as exc:
        print(f"fel: {exc}", file=sys.stderr)
        return 1
    print(f"Skapade {path.relative_to(args.root)}. Fyll i texten och kontrollera med 'styrdok check'.", file=sys.stderr)
    return 0


def cmd_export(args) -> int:
    from .control import ControlError, find_document
    from .load import Project
    from .export.documents import (git_user, last_decided_ref, old_body, templates_for, word_document)
    from .publish import progress
    from .export import ExportError, export_compare_docx, export_many
    handbook = _load_or_report(args, acts_on=None if args.all else list(args.dokument))
    if handbook is None:
        return 2
    project = Project(args.root)
    out_dir = args.out or (args.root / "build" / "word")
    try:
        docs = list(handbook.dokument.values()) if args.all else [find_document(handbook, project, r)
                                                                   for r in args.dokument]
        if not docs:
            raise ControlError("Ange ett eller flera dokument (id eller sökväg), eller --all för alla.")
        templates = templates_for(project)
        if args.compare is not None or args.jamfor_beslut:
            for doc in docs:
                ref = args.compare or last_decided_ref(project, doc)
                if not ref:
                    raise ExportError(f"{doc.titel} har inget registrerat beslut (ingen tagg beslut/{doc.id}/…) att "
                                      "jämföra med. Ange en version med --compare REF (tagg, gren eller commit).")
                word = word_document(handbook, project, doc, toc=args.toc)
                out = out_dir / f"{doc.id}-jamforelse.docx"
                export_compare_docx(word, old_body(handbook, project, doc, ref), out, templates,
                                    author=git_user(project), date=dt.datetime.now(), old_label=ref)
                print(f"Skrev {out} (spårade ändringar mot {ref})", file=sys.stderr)
            return 0
        if args.beslutad:
            from .export.documents import decided_word_document
            words = []
            for doc in docs:
                word = decided_word_document(handbook, project, doc, toc=args.toc)
                if word is None:
                    raise ControlError(f"{doc.titel} har ingen registrerad beslutad version (ingen tagg "
                                       f"beslut/{doc.id}/…). Registrera beslut med styrdok decide.")
                words.append(word)
        else:
            words = [word_document(handbook, project, d, toc=args.toc) for d in docs]
        paths = export_many(words, out_dir, templates, cache_dir=args.root / ".cache" / "word", progress=progress)
    except (ControlError, ExportError) as exc:
        print(f"fel: {exc}", file=sys.stderr)
        return 1
    for path in paths:
        print(f"Skrev {path}", file=sys.stderr)
    return 0


def cmd_memo(args) -> int:
    """The nämnd package: memo, the document as bilaga, the tracked-changes copy and their PDFs (styrdok.package)."""
    from .control import ControlError, find_document
    from .load import Project, current_date
    from .export import ExportError
    from .package import PACKAGE_FOLDER, PackageError, write_package
    handbook = _load_or_report(args, acts_on=[args.dokument])
    if handbook is None:
        return 2
    from .problems import Problems
    project = Project(args.root)
    problems = Problems()
    try:
        doc = find_document(handbook, project, args.dokument)
        folder, archive = write_package(handbook, project, doc, namnd_id=args.namnd, datum=current_date(),
                                        out_root=args.out or (args.root / PACKAGE_FOLDER), with_pdf=not args.utan_pdf,
                                        problems=problems)
    except (ControlError, ExportError, PackageError) as exc:
        print_problems(problems)
        print(f"fel: {exc}\nInget paket skrevs.", file=sys.stderr)
        return 1
    print_problems(problems)
    print(f"Skrev paketet till nämnden: {folder} ({len(list(folder.iterdir()))} filer) och {archive}", file=sys.stderr)
    return 0


def cmd_import(args) -> int:
    import yaml
    from .load import load_handbook
    from .export import ExportError
    from .export import import_docx
    from .export.import_map import header_labels, map_front_matter
    handbook, problems = load_handbook(args.root)
    if problems.errors:
        # The import still works, but without the handbook it cannot map roles, units and header labels.
        print_problems(problems, only_errors=True)
        print("obs: handboken har fel (se ovan), så Word-filens huvud kopplas inte till roller, enheter och "
              "instanser" + (" alls" if handbook is None else " där felen finns") + ". Rätta felen och importera "
              "igen för en fullständig front matter.", file=sys.stderr)
    labels = header_labels(handbook) if handbook else {}
    try:
        result = import_docx(args.fil, labels)
    except ExportError as exc:
        print(f"fel: {exc}", file=sys.stderr)
        return 1
    front = dict(result.front_matter)
    if args.typ:
        front["typ"] = args.typ
    if handbook is not None:
        front, notes = map_front_matter(front, handbook, default_role=args.ansvarig)
        result.unmapped.extend(notes)
    target = args.ut or (args.root / "docs" / "importerat" / (args.fil.stem.lower().replace(" ", "-") + ".md"))
    if target.exists():
        print(f"fel: {target} finns redan. Ange en annan fil med --ut.", file=sys.stderr)
        return 1
    target.parent.mkdir(parents=True, exist_ok=True)
    text = "---\n" + yaml.safe_dump(front, allow_unicode=True, sort_keys=False) + "---\n\n" + result.markdown
    target.write_text(text, encoding="utf-8")
    print(f"Skrev {target}.", file=sys.stderr)
    for item in result.unmapped:
        print(f"{args.fil.name}: varning: {item}", file=sys.stderr)
    print(f"{len(result.unmapped)} saker kunde inte föras över automatiskt (se ovan). Kör 'styrdok check' "
          "och rätta front matter.", file=sys.stderr)
    return 0


def cmd_init(args) -> int:
    from .init import InitError, init_handbook
    from .load import current_date
    try:
        written = init_handbook(args.mapp, args.kommun, today=current_date())
    except InitError as exc:
        print(f"fel: {exc}", file=sys.stderr)
        return 1
    print(f"Skrev en ny handbok för {' '.join(args.kommun.split())} i {args.mapp} ({len(written)} filer). "
          f"Gå till mappen och kör 'styrdok check' och 'styrdok build'.", file=sys.stderr)
    return 0


# argparse's own words (its help headings and usage errors), in Swedish. argparse looks each one up
# through the module's `_` (gettext) when it prints; a text not here prints as argparse wrote it.
ARGPARSE_SV = {
    "usage: ": "användning: ",
    "positional arguments": "argument",
    "options": "flaggor",
    "optional arguments": "flaggor",
    "show this help message and exit": "visa den här hjälpen och avsluta",
    "%(prog)s: error: %(message)s\n": "%(prog)s: fel: %(message)s\n",
    "the following arguments are required: %s": "det här saknas: %s",
    "unrecognized arguments: %s": "okända argument: %s",
    "invalid choice: %(value)r (choose from %(choices)s)": "ogiltigt val: %(value)r (välj bland %(choices)s)",
    "argument %(argument_name)s: %(message)s": "%(argument_name)s: %(message)s",
    "not allowed with argument %s": "kan inte användas tillsammans med %s",
    "expected one argument": "ett värde saknas efter flaggan",
    "expected at least one argument": "minst ett värde saknas efter flaggan",
    "one of the arguments %s is required": "ett av de här behövs: %s",
    "ambiguous option: %(option)s could match %(matches)s": "flaggan %(option)s kan vara flera: %(matches)s",
    "invalid %(type)s value: %(value)r": "ogiltigt värde: %(value)r",
}


def _swedish_argparse() -> None:
    english = getattr(argparse, "_english", None) or argparse._
    argparse._english = english
    argparse._ = lambda text: ARGPARSE_SV.get(text, english(text))


def build_parser() -> argparse.ArgumentParser:
    _swedish_argparse()
    parser = argparse.ArgumentParser(prog="styrdok", description="Styrdokument och ledningssystem som kod.")
    parser.add_argument("--root", type=Path, default=None,
                        help="handbokens mapp (den som har data/ och docs/); standard: närmaste uppåt")
    sub = parser.add_subparsers(dest="command", required=True, metavar="KOMMANDO")

    p = sub.add_parser("check", help="kontrollera alla källfiler och visa alla problem på en gång")
    p.add_argument("--bara-fel", action="store_true", help="visa bara fel, inte varningar")
    p.add_argument("--format", choices=("text", "json", "gitlab"), default="text",
                   help="text (standard), json (fil, rad, kolumn, allvarlighet, kod, meddelande) eller gitlab "
                        "(GitLab Code Quality-rapport) på standard ut")
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("forhandsvisa", help="visa handboken på http://127.0.0.1:8000 medan du skriver: varje sida "
                       "görs när den visas, och laddas om när du sparar")
    p.add_argument("--port", type=int, default=8000, help="porten på 127.0.0.1 (standard 8000)")
    p.set_defaults(func=cmd_preview)

    p = sub.add_parser("build", help="kontrollera och bygg webbplatsen och Word-filerna")
    p.add_argument("--site", type=Path, default=None, help="målmapp för webbplatsen (standard: site/)")
    from .publish import outputs
    names = [o.name for o in outputs()]
    only = p.add_mutually_exclusive_group()
    only.add_argument("--utan-word", action="store_true",
                      help="bygg bara webbplatsen (snabbare); Word-filerna från förra bygget behålls")
    only.add_argument("--bara-word", action="store_true",
                      help="gör bara om Word-filerna i site/word/; resten av webbplatsen lämnas som den är")
    only.add_argument("--bara", choices=names, metavar="UTDATA",
                      help=f"gör bara om en utdata ({', '.join(names)}); resten av webbplatsen lämnas som den är")
    p.add_argument("--utan", choices=names, action="append", metavar="UTDATA",
                   help="bygg utan en utdata (kan upprepas); filerna från förra bygget behålls")
    p.set_defaults(func=cmd_build)

    p = sub.add_parser("tillganglighet", help="granska den byggda webbplatsen med axe-core (WCAG 2.1 A/AA) och "
                                              "skriv resultatet till data/tillganglighetsgranskning.yml")
    p.add_argument("--site", type=Path, default=None, help="den byggda webbplatsen (standard: site/)")
    p.set_defaults(func=cmd_accessibility)

    p = sub.add_parser("due", help="lista det som ska revideras eller göras (dokument, enheter, åtgärder, "
                                   "årshjul); felkod 1 om något är försenat")
    p.set_defaults(func=cmd_due)

    p = sub.add_parser("decide", help="registrera ett beslut: front matter, commit och tagg")
    p.add_argument("dokument", help="dokumentets id eller sökväg")
    p.add_argument("--instans", help="nämnd eller roll som beslutat, t.ex. socialnamnden "
                                     "(vid --redaktionell: standard dokumentansvarig)")
    p.add_argument("--datum", help="beslutsdatum, t.ex. 2026-03-12 (vid --redaktionell: standard i dag)")
    p.add_argument("--paragraf", help="paragraf i protokollet, t.ex. 45")
    p.add_argument("--dnr", help="diarienummer för beslutet")
    p.add_argument("--galler-fran", help="datum då dokumentet börjar gälla (standard: beslutsdatumet)")
    kind = p.add_mutually_exclusive_group()
    kind.add_argument("--mindre-andring", action="store_true", help="mindre ändring (får beslutas på lägre nivå)")
    kind.add_argument("--utan-andring", action="store_true", help="omprövat utan ändring: revideringsklockan börjar om")
    kind.add_argument("--ny", action="store_true", help="nytt dokument som antas för första gången")
    kind.add_argument("--redaktionell", action="store_true",
                      help="redaktionell ändring utan nytt beslut (stavfel, trasig länk); kräver --skal")
    p.add_argument("--skal", help="varför ändringen är redaktionell, t.ex. \"Rättat stavfel\"")
    p.set_defaults(func=cmd_decide)

    p = sub.add_parser("arkivera", help="skriv senast beslutade versionen som PDF/A-2b för e-arkivet "
                                        "(build/arkiv/; styrdok decide gör det vid varje beslut)")
    p.add_argument("dokument", help="dokumentets id eller sökväg")
    p.set_defaults(func=cmd_archive)

    p = sub.add_parser("new", help="skapa ett nytt styrdokument med giltig front matter")
    p.add_argument("typ", help="dokumenttyp, t.ex. rutin")
    p.add_argument("titel", help="dokumentets titel")
    p.add_argument("--enhet", help="organisationsenhet som dokumentet gäller för")
    p.add_argument("--ansvarig", help="dokumentansvarig roll (standard: sas)")
    p.set_defaults(func=cmd_new)

    p = sub.add_parser("export", help="skriv styrdokument som Word-filer (build/word/)")
    p.add_argument("dokument", nargs="*", help="dokumentets id eller sökväg")
    p.add_argument("--all", action="store_true", help="alla styrdokument")
    p.add_argument("--out", type=Path, help="målmapp (standard: build/word/)")
    p.add_argument("--compare", metavar="REF", help="en kopia med spårade ändringar mot versionen i git REF")
    p.add_argument("--jamfor-beslut", action="store_true",
                   help="en kopia med spårade ändringar mot senast beslutade version")
    p.add_argument("--beslutad", action="store_true",
                   help="den beslutade versionen (som den såg ut vid senaste beslutet) i stället för den aktuella")
    p.add_argument("--toc", action="store_true", help="med innehållsförteckning")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("tjansteskrivelse", help="skriv paketet till nämnden för ett dokument: tjänsteskrivelsen, "
                                                "dokumentet som bilaga, kopian med spårade ändringar och deras PDF, "
                                                "i en mapp och en zip-fil")
    p.add_argument("dokument", help="dokumentets id eller sökväg")
    p.add_argument("--namnd", help="nämndens id (standard: den första som beslutar dokumentet)")
    p.add_argument("--out", type=Path, help="mappen som paketet skrivs i (standard: build/namnd/)")
    p.add_argument("--utan-pdf", action="store_true", help="bara Word-filerna (när LibreOffice inte finns)")
    p.set_defaults(func=cmd_memo)

    p = sub.add_parser("import", help="gör om ett Word-styrdokument till en Markdown-sida")
    p.add_argument("fil", type=Path, help="Word-filen (.docx)")
    p.add_argument("--typ", help="dokumenttyp för front matter, t.ex. rutin")
    p.add_argument("--ut", type=Path, help="Markdown-filen som skrivs (standard: docs/importerat/…)")
    p.add_argument("--ansvarig", help="roll för dokumentansvarig när huvudet bara har en persons namn")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("init", help="skapa en ny handbok för en kommun")
    p.add_argument("mapp", type=Path, help="mappen för den nya handboken (ny eller tom)")
    p.add_argument("--kommun", required=True, help="kommunens namn, t.ex. \"Älvstads kommun\"")
    p.set_defaults(func=cmd_init)

    p = sub.add_parser("schema", help="skriv JSON-scheman för editorer (schemas/, .vscode/settings.json)")
    p.add_argument("--kontrollera", action="store_true", help="kontrollera bara att schemana är aktuella")
    p.set_defaults(func=cmd_schema)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    args.root = (args.root or find_root()).resolve()
    return args.func(args)
