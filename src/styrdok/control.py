"""Document control: decisions (`styrdok decide`), revision due (`styrdok due`), new documents.

Decisions are recorded in the document's front matter (`beslut:`), committed, and tagged
`beslut/<dokument-id>/<datum>` so the decided version can always be found again.
"""
from __future__ import annotations

import datetime as dt
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from . import decision_rules as rules, gitcmd
from markupsafe import Markup

from .jinja import page_source
from .load import Project, slug as slugify
from .sensitive import SCAFFOLD_TEXTS
from .model import Handbook, Styrdokument
from .yamledit import CommentedMap, dump_yaml, edit_yaml, flow_map, flow_seq, quoted
from .scan import front_matter_yaml_span

SOON_DAYS = 90
TAG_PREFIX = "beslut"


class ControlError(Exception):
    """A refused command; the message is Swedish and says what to do."""


# --- lookup ----------------------------------------------------------------------------------

def find_document(handbook: Handbook, project: Project, ref: str) -> Styrdokument:
    """A document by id, by docs-relative path or by a path from the current folder."""
    if ref in handbook.dokument:
        return handbook.dokument[ref]
    candidates = {ref, ref.removeprefix("docs/")}
    path = Path(ref)
    if path.exists():
        candidates.add(project.rel(path.resolve()).removeprefix("docs/"))
    for doc in handbook.dokument.values():
        if doc.src_path in candidates:
            return doc
    raise ControlError(f"Dokumentet '{ref}' finns inte. Ange dokumentets id (filnamnet utan .md) eller "
                       f"sökvägen till filen, t.ex. {next(iter(handbook.dokument), 'rutin-avvikelser')}.")


# --- revision due ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Due:
    doc: Styrdokument
    days_left: int

    @property
    def overdue(self) -> bool:
        return self.days_left < 0


def due_list(handbook: Handbook, today: dt.date, soon_days: int = SOON_DAYS) -> list[Due]:
    """Documents overdue or due within soon_days, most urgent first."""
    out = [Due(d, (d.nasta_revidering - today).days) for d in handbook.dokument.values()]
    out = [d for d in out if d.days_left <= soon_days]
    return sorted(out, key=lambda d: (d.days_left, d.doc.titel))


def format_due(items: list[Due], today: dt.date) -> str:
    if not items:
        return f"Inga dokument behöver revideras inom {SOON_DAYS} dagar (per {today})."
    lines = []
    by_owner: dict[str, list[Due]] = {}
    for item in items:
        by_owner.setdefault(item.doc.dokumentansvarig.namn, []).append(item)
    for owner in sorted(by_owner):
        lines.append(f"{owner}:")
        for item in by_owner[owner]:
            when = (f"försenad {-item.days_left} dagar" if item.overdue else f"om {item.days_left} dagar")
            lines.append(f"  {item.doc.nasta_revidering}  {when:<20} {item.doc.titel} ({item.doc.file})")
    n_over = sum(1 for i in items if i.overdue)
    lines.append(f"{n_over} försenade, {len(items) - n_over} ska revideras inom {SOON_DAYS} dagar.")
    return "\n".join(lines)


# --- git ---------------------------------------------------------------------------------------

def git(root: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """git through styrdok.gitcmd, as text; a failure (with check) or a missing git is a ControlError."""
    try:
        raw = gitcmd.run(root, *args)
    except gitcmd.GitMissing:
        raise ControlError("git saknas: ett beslut registreras med en commit och en tagg i git. Installera git "
                           "(t.ex. 'apt install git') och försök igen.") from None
    proc = subprocess.CompletedProcess(raw.args, raw.returncode, raw.stdout.decode("utf-8", "surrogateescape"),
                                       gitcmd.stderr_of(raw))
    if check and proc.returncode != 0:
        raise ControlError(f"git {' '.join(args)} misslyckades: {proc.stderr}")
    return proc


def require_clean_tree(root: Path) -> None:
    if git(root, "rev-parse", "--is-inside-work-tree", check=False).returncode != 0:
        raise ControlError("Handboken ligger inte i ett git-förråd. Beslut registreras med en commit och en "
                           "tagg; kör 'git init' och checka in filerna först.")
    # Python's bytecode beside a handbook's own hooks (written when MkDocs loads them) is no content:
    # a .gitignore from before `styrdok init` listed __pycache__/ does not block a decision.
    status = [line for line in git(root, "status", "--porcelain").stdout.splitlines()
              if line.strip() and not (line.startswith("?? ") and ("__pycache__/" in line or line.endswith(".pyc")))]
    if status:
        files = ", ".join(line[3:] for line in status[:5])
        raise ControlError(f"Det finns ändringar som inte är incheckade ({files}). Checka in eller ångra dem "
                           "först, så att beslutet gäller exakt den version som finns i git.")


# --- decisions ---------------------------------------------------------------------------------

ANDRING = {"revidering": "revidering", "mindre": "mindre ändring", "utan": "utan ändring", "ny": "ny",
           "redaktionell": "redaktionell"}


def allowed_instanser(doc: Styrdokument, andring: str) -> list:
    return rules.allowed_instanser(doc.typ, andring)


def _refuse_major_change(handbook: Handbook, project: Project, doc: Styrdokument, andring: str) -> None:
    """A minor or editorial change must be minor by the kommun's rule for the document type."""
    from .change_summary import SummaryUnavailable, summary_since_decision
    try:
        summary = summary_since_decision(handbook, project, doc)
    except SummaryUnavailable:
        return          # nothing decided to compare with: the first decision is never minor anyway
    reasons = summary.major_reasons(doc)
    if not reasons:
        return
    kind = "en mindre ändring" if andring == "mindre ändring" else "en redaktionell ändring"
    deciders = ", ".join(i.namn for i in doc.typ.beslutas_av)
    raise ControlError(f"Ändringen sedan förra beslutet är för stor för att vara {kind} enligt kommunens regel "
                       f"för {doc.typ.namn.lower()} (stor_andring i data/kommun.yml): {'; '.join(reasons)}. "
                       f"Besluta den som revidering (utan --mindre-andring/--redaktionell); beslut fattas av: "
                       f"{deciders}.")


def tag_name(doc: Styrdokument, datum: dt.date) -> str:
    return f"{TAG_PREFIX}/{doc.id}/{datum.isoformat()}"


def _front_matter_span(text: str) -> tuple[int, int]:
    """Start and end of the YAML between the --- lines (an empty front matter: where it would go)."""
    span = front_matter_yaml_span(text)
    if span is None:
        raise ControlError("Dokumentet saknar front matter (blocket mellan raderna ---).")
    return span


def _with_decision(front: CommentedMap, item: CommentedMap) -> None:
    """Append the decision to `beslut:` (made a list at the end of the front matter if missing)."""
    beslut = front.get("beslut")
    if isinstance(beslut, list):
        beslut.append(item)
    else:
        front["beslut"] = [item]


def next_version(current: str | None, andring: str) -> str | None:
    """The version after a decision, for a document that numbers its versions ("1.2"): a revision
    or adoption gives the next whole number (2.0), a minor change the next decimal (1.3). None when
    the document has no version, the decision changes nothing, or the version is not a number."""
    m = re.fullmatch(r"(\d+)(?:\.(\d+))?", (current or "").strip())
    if not m or not rules.changes_text(andring):
        return None
    major, minor = int(m.group(1)), int(m.group(2) or 0)
    return f"{major}.{minor + 1}" if andring == "mindre ändring" else f"{major + 1}.0"


def record_decision(handbook: Handbook, project: Project, ref: str, *, instans: str, datum: dt.date,
                    paragraf: str | None, dnr: str | None, andring: str, galler_fran: dt.date | None,
                    today: dt.date, skal: str | None = None) -> tuple[Styrdokument, str]:
    """Validate everything first; then write the front matter, commit and tag. Returns (doc, tag)."""
    doc = find_document(handbook, project, ref)
    if instans not in handbook.instanser:
        raise ControlError(f"Instansen '{instans}' finns inte. Välj en av: {', '.join(sorted(handbook.instanser))}.")
    refused = rules.refusal(doc.typ, handbook.instanser[instans], andring)
    if refused:
        raise ControlError(refused)
    if andring in ("mindre ändring", "redaktionell"):
        _refuse_major_change(handbook, project, doc, andring)
    if andring == "redaktionell" and not (skal or "").strip():
        raise ControlError("Ange varför ändringen är redaktionell och inte behöver beslutas, med --skal, t.ex. "
                           "--skal \"Rättat stavfel och en trasig länk\".")
    if rules.out_of_order(doc.beslut[-1].datum if doc.beslut else None, datum):
        raise ControlError(f"Datumet {datum} ligger före det senaste beslutet ({doc.beslut[-1].datum}). "
                           "Beslut registreras i tidsordning; kontrollera datumet i protokollet.")
    if rules.not_yet(datum, today):
        raise ControlError(f"Datumet {datum} har inte varit än (i dag är det {today}). Ett beslut registreras när "
                           "det är fattat: ange datumet i protokollet. När dokumentet ska börja gälla anges med "
                           "--galler-fran.")
    new_galler = galler_fran or (datum if rules.changes_text(andring) else doc.galler_fran)
    if rules.changes_text(andring) and rules.applies_before(new_galler, datum):
        raise ControlError(f"Gäller från ({new_galler}) kan inte ligga före beslutsdatumet ({datum}).")
    tag = tag_name(doc, datum) + ("-redaktionell" if andring == "redaktionell" else "")
    require_clean_tree(project.root)
    if git(project.root, "rev-parse", "-q", "--verify", f"refs/tags/{tag}", check=False).returncode == 0:
        raise ControlError(f"Taggen {tag} finns redan: ett beslut för dokumentet den dagen är redan registrerat.")

    path = project.root / doc.file
    original = path.read_text(encoding="utf-8")
    start, end = _front_matter_span(original)
    item = flow_map([("instans", instans), ("datum", datum)])
    if paragraf:
        item["paragraf"] = quoted(paragraf)
    if dnr:
        item["diarienummer"] = quoted(dnr)
    item["andring"] = andring
    if andring == "redaktionell":
        item["skal"] = quoted(skal.strip())
    version = next_version(doc.version, andring)

    def change(front: CommentedMap) -> None:
        _with_decision(front, item)
        if rules.changes_text(andring):
            front["galler_fran"] = new_galler
            if "senast_reviderad" in front:
                front["senast_reviderad"] = new_galler
        if version:
            front["version"] = quoted(version)

    front = edit_yaml(original[start:end], change)
    path.write_text(original[:start] + front + original[end:], encoding="utf-8")
    what = {"utan ändring": "omprövat utan ändring", "mindre ändring": "mindre ändring beslutad",
            "ny": "antaget", "revidering": "reviderat och beslutat"}.get(andring, andring)
    inst_name = handbook.instanser[instans].namn
    paragraph = f" § {paragraf}" if paragraf else ""
    message = f"Beslut: {doc.titel} – {what} av {inst_name} {datum}{paragraph}"
    if dnr:
        message += f" (dnr {dnr})"
    if andring == "redaktionell":
        message = f"Redaktionell ändring: {doc.titel} – {skal.strip()} (registrerad av {inst_name} {datum})"
    try:
        git(project.root, "add", "--", doc.file)
        git(project.root, "commit", "-q", "-m", message, "--", doc.file)
    except ControlError:
        path.write_text(original, encoding="utf-8")
        git(project.root, "reset", "-q", "--", doc.file, check=False)
        raise
    git(project.root, "tag", "-a", tag, "-m", message)
    return doc, tag


# --- new documents -----------------------------------------------------------------------------

def new_document(handbook: Handbook, project: Project, typ_id: str, title: str, *, enhet: str | None,
                 ansvarig: str | None, today: dt.date) -> Path:
    typ = handbook.kommun.dokumenttyper.get(typ_id)
    if typ is None:
        raise ControlError(f"Dokumenttypen '{typ_id}' finns inte. Välj en av: "
                           f"{', '.join(handbook.kommun.dokumenttyper)}.")
    if enhet and enhet not in handbook.org:
        raise ControlError(f"Enheten '{enhet}' finns inte i data/kommun.yml. Välj en av: {', '.join(handbook.org)}.")
    ansvarig = ansvarig or ("sas" if "sas" in handbook.roller else next(iter(handbook.roller)))
    if ansvarig not in handbook.roller:
        raise ControlError(f"Rollen '{ansvarig}' finns inte i data/roller.yml. Välj en av: {', '.join(handbook.roller)}.")
    same_type = sorted(d.src_path for d in handbook.dokument.values() if d.typ.id == typ.id)
    folder = (project.docs / Path(same_type[0]).parent) if same_type \
        else project.docs / "styrdokument" / slugify(typ.plural)
    slug = slugify(title)
    path = folder / f"{slug}.md"
    if path.exists() or slug in handbook.dokument:
        raise ControlError(f"Det finns redan ett dokument med namnet {slug} ({project.rel(path)}). Välj en annan titel.")
    front = {"titel": title, "typ": typ.id, "beslutad_av": typ.beslutas_av[0].id, "galler_fran": today,
             "dokumentansvarig": ansvarig}
    if enhet:
        front["galler_for"] = flow_seq([enhet])
    front.update(relaterade=flow_seq(), lagrum=flow_seq(), taggar=flow_seq())
    text = page_source("ny-sida.md.j2", front_matter=Markup(dump_yaml(front).rstrip("\n")), vagledning=SCAFFOLD_TEXTS)
    folder.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path
