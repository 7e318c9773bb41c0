"""What changed in a document's rendering since its latest decision, in words a nämnd reads, and
whether that is a major change by the kommun's rule (`stor_andring` per dokumenttyp in kommun.yml).

Used by `styrdok decide --mindre-andring` / `--redaktionell` (refused when the change is major)
and by the tjänsteskrivelse (which lists these changes and never says there are none when the
rendering differs). Both renderings are the Word target's plain Markdown (styrdok.decided).
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

from .model import Handbook, Styrdokument
from .scan import fenced

HEADING = re.compile(r"^(#{1,6})[ \t]+(.+?)[ \t#]*$")
MARKUP = re.compile(r"[\[\]()*_`|>#:{}<]|\.insertion|\.deletion")


@dataclass(frozen=True)
class Section:
    title: str
    text: str


@dataclass
class ChangeSummary:
    """Rendered changes: sections by heading, duties per role, share of words changed."""

    added: list[str] = field(default_factory=list)          # headings only in the new version
    removed: list[str] = field(default_factory=list)        # headings only in the decided version
    changed: list[str] = field(default_factory=list)        # headings whose text differs
    ansvar: list[str] = field(default_factory=list)         # "Socialt ansvarig samordnare: … (ändrat)"
    data: tuple[str, ...] = ()                              # data sources whose output changed
    word_share: float = 0.0                                 # 0–1

    @property
    def any(self) -> bool:
        return bool(self.added or self.removed or self.changed or self.ansvar or self.word_share)

    def lines(self) -> list[str]:
        """The changes as the tjänsteskrivelse lists them (Swedish)."""
        out = [f"Nytt avsnitt: {h}" for h in self.added]
        out += [f"Borttaget avsnitt: {h}" for h in self.removed]
        out += [f"Ändrat avsnitt: {h}" for h in self.changed]
        out += [f"Ändrat ansvar – {a}" for a in self.ansvar]
        out += [f"Ändrat genom data som dokumentet visar: {d}" for d in self.data]
        if self.any:
            out.append(f"Andel ändrade ord: {round(self.word_share * 100)} procent.")
        return out

    def major_reasons(self, doc: Styrdokument) -> list[str]:
        """Why the change is major by the rule of the document's type (empty: it is minor)."""
        rule = doc.typ.stor_andring
        reasons = []
        if rule.ansvar and self.ansvar:
            reasons.append("ändrat ansvar (" + "; ".join(self.ansvar) + ")")
        if rule.rubriker and (self.added or self.removed):
            heads = [f"ny rubrik '{h}'" for h in self.added] + [f"borttagen rubrik '{h}'" for h in self.removed]
            reasons.append(", ".join(heads))
        if self.word_share > rule.andel_ord:
            reasons.append(f"{round(self.word_share * 100)} procent av orden har ändrats (gränsen är "
                           f"{round(rule.andel_ord * 100)} procent)")
        return reasons


def sections(markdown: str) -> list[Section]:
    """The text under each heading (the text before the first heading under "Inledning")."""
    out: list[Section] = []
    title, current = "Inledning", []
    lines = markdown.splitlines()
    for line, code in zip(lines, fenced(lines)):
        m = None if code else HEADING.match(line)
        if m:
            if any(x.strip() for x in current) or title != "Inledning":
                out.append(Section(title, "\n".join(current).strip()))
            title, current = m.group(2).strip(), []
        else:
            current.append(line)
    if any(x.strip() for x in current) or title != "Inledning":
        out.append(Section(title, "\n".join(current).strip()))
    return out


def _words(markdown: str) -> list[str]:
    return MARKUP.sub(" ", markdown).split()


def duties(handbook: Handbook | None, body: str) -> dict[tuple[str, str], str]:
    """(ämne, roll) -> duty, for the ansvar a page shows through {{ ansvar("…") }} or {{ ansvarsfordelning() }}."""
    if handbook is None:
        return {}
    from .ledningssystem.load import ledningssystem_of
    amnen = ledningssystem_of(handbook).amnen
    ids = re.findall(r"""\{\{\s*ansvar\(\s*["']([^"']+)["']""", body)
    if re.search(r"\{\{\s*ansvarsfordelning\(", body):
        ids += list(amnen)
    out = {}
    for amne_id in dict.fromkeys(ids):
        amne = amnen.get(amne_id)
        for a in (amne.ansvar if amne else ()):
            key = (amne.namn, a.roll.namn)
            out[key] = (out[key] + " " + a.uppgift) if key in out else a.uppgift
    return out


def summarize(old_md: str, new_md: str, *, old_duties: dict | None = None, new_duties: dict | None = None,
              data: tuple[str, ...] = ()) -> ChangeSummary:
    s = ChangeSummary(data=data)
    old, new = sections(old_md), sections(new_md)
    old_by, new_by = {x.title: x for x in old}, {x.title: x for x in new}
    s.added = [x.title for x in new if x.title not in old_by]
    s.removed = [x.title for x in old if x.title not in new_by]
    s.changed = [x.title for x in new if x.title in old_by and old_by[x.title].text != x.text]
    a, b = _words(old_md), _words(new_md)
    if a != b:
        same = sum(block.size for block in difflib.SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks())
        s.word_share = 1 - same / max(len(a), len(b), 1)
    old_duties, new_duties = old_duties or {}, new_duties or {}
    for key in dict.fromkeys([*old_duties, *new_duties]):
        amne, roll = key
        before, after = old_duties.get(key), new_duties.get(key)
        if before == after:
            continue
        what = "nytt" if before is None else "borttaget" if after is None else "omformulerat"
        s.ansvar.append(f"{roll} ({amne}): {what}")
    # a section about ansvar written in the page itself counts as changed ansvar too (unless the
    # duties from data already explain it)
    for title in ([] if s.ansvar else [*s.added, *s.removed, *s.changed]):
        if "ansvar" in title.lower() and not any(title in x for x in s.ansvar):
            kind = "nytt avsnitt" if title in s.added else "borttaget avsnitt" if title in s.removed else "ändrad text"
            s.ansvar.append(f"avsnittet '{title}': {kind}")
    return s


class SummaryUnavailable(Exception):
    """The decided version could not be read (no tag, or git failed); the message is Swedish."""


def summary_since_decision(handbook: Handbook, project, doc: Styrdokument) -> ChangeSummary:
    """The document now against its latest decision tag (loads the tree at the tag for the duties)."""
    from .decided import comparisons, decided_index, render_site, tree_at
    index = decided_index(handbook)
    tag = index.tags().get(doc.id) if index else None
    problem = index.git_problem() if index else None
    if tag is None and problem:
        raise SummaryUnavailable(f"beslutstaggarna kunde inte läsas ur git: {problem}")
    if tag is None:
        raise SummaryUnavailable(f"{doc.titel} har ingen beslutstagg (beslut/{doc.id}/…) att jämföra med.")
    texts = index.texts(doc.id)
    if texts is None:
        raise SummaryUnavailable(f"Den beslutade versionen ({tag.name}) kunde inte läsas ur git.")
    now = render_site(handbook, project.root / "templates", doc.src_path, doc.body)
    with tree_at(project.root, tag.commit) as (old_hb, _):
        old_duties = duties(old_hb, texts["body"])
    c = comparisons(handbook).get(doc.id)
    return summarize(texts["site"], now, old_duties=old_duties, new_duties=duties(handbook, doc.body),
                     data=c.data_changes if c else ())
