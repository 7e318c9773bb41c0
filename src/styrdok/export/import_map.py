"""Map what a Word header says onto the handbook's own values: "Riktlinje" -> riktlinje,
"Socialnämnden, Vård- och omsorgsnämnden" -> [socialnamnden, vard-och-omsorgsnamnden], a person's
name -> dokumentansvarig.namn, "Antagen av Kommunstyrelsen 2015-10-28, § 100" -> a beslut entry,
"SOSFS 2011:9" -> lagrum ids. Every value that cannot be mapped is named, in Swedish; the front
matter keeps only what the handbook accepts, so the imported file passes `styrdok check` once the
reported required fields are filled in.
"""
from __future__ import annotations

import datetime as dt
import re
from typing import Callable

from ..lagrum import number_index, references_in_text
from ..model import Handbook
from .importer import parse_date

_SPLIT = re.compile(r"\s*(?:,|;|/|\n|&)\s*")
# "Socialnämnden och Omsorgsnämnden" are two; "Vård- och omsorgsnämnden" (a word cut after its first
# part, '-') is one name.
_OCH = re.compile(r"(?<!-)\s+och\s+")
_PARAGRAF = re.compile(r"§\s*(\d+[a-z]?)|(\d+[a-z]?)\s*§")


def header_labels(handbook: Handbook) -> dict[str, str]:
    """Front matter key -> label, for every label the kommun's header uses: falt, the rows of
    dokumenthuvud (a format row by its first field: 'Antagen av' -> beslutad) and egna_falt."""
    from ..header import _PLACEHOLDER
    labels: dict[str, str] = {}
    pairs = list(handbook.kommun.falt.model_dump().items())
    head = handbook.kommun.dokumenthuvud
    for row in [*(head.standard or ()), *(r for rows in head.typer.values() for r in rows)]:
        if row.etikett:
            first = row.falt or next(iter(_PLACEHOLDER.findall(row.format or "")), ("", ""))[0]
            if first:
                pairs.append((first, row.etikett))
    pairs += [(e.id, e.etikett) for e in handbook.kommun.egna_falt.values()]
    # import_docx wants key -> label; several labels per key are passed as extra keys "key#n"
    for n, (key, label) in enumerate(pairs):
        labels[key if key not in labels else f"{key}#{n}"] = label
    return labels


def _fold(text: str) -> str:
    return re.sub(r"\s+", " ", text.casefold().replace("-", " ")).strip()


def _index(handbook: Handbook) -> dict[str, str]:
    """Names, abbreviations and ids of nämnder and roles -> instans id."""
    out: dict[str, str] = {}
    for n in handbook.kommun.namnder:
        out[_fold(n.namn)] = n.id
        out[_fold(n.id)] = n.id
    for r in handbook.roller.values():
        out[_fold(r.namn)] = r.id
        out[_fold(r.id)] = r.id
        if r.forkortning:
            out[_fold(r.forkortning)] = r.id
    for n in handbook.kommun.namnder:     # abbreviations last: "SN" is less sure than a full name
        file_abbr = getattr(n, "forkortning", None)
        if file_abbr:
            out.setdefault(_fold(file_abbr), n.id)
    return out


def _strip_decision(text: str) -> tuple[str, dt.date | None, str | None]:
    """'Kommunstyrelsen 2015-10-28, § 100' -> ('Kommunstyrelsen', date, '100')."""
    day = parse_date(text)
    m = _PARAGRAF.search(text)
    paragraf = (m.group(1) or m.group(2)) if m else None
    rest = re.sub(r"\d{4}-\d{1,2}-\d{1,2}|\d{1,2}\s+[a-zåäö]+\s+\d{4}|§\s*\d+[a-z]?|\d+[a-z]?\s*§", " ", text)
    rest = re.sub(r"[ \t]+", " ", rest)
    rest = re.sub(r"\s*,(\s*,)+", ",", rest)
    return rest.strip(" ,\t\n"), day, paragraf


def map_front_matter(front: dict, handbook: Handbook, *, default_role: str | None = None
                     ) -> tuple[dict, list[str]]:
    """Front matter from the importer (values as Word wrote them) -> values the handbook accepts,
    and what could not be mapped."""
    out = dict(front)
    notes: list[str] = []
    instanser = _index(handbook)

    def note(text: str) -> None:
        notes.append(text)

    def ids_of(value: str, table: dict[str, str], what: str, key: str) -> list[str]:
        found, unknown = [], []
        for part in (p for p in _SPLIT.split(value.strip()) if p):
            # "Vård- och omsorgsnämnden" is one name; "Socialnämnden och Omsorgsnämnden" are two
            pieces = [part] if _fold(part) in table else [x for x in _OCH.split(part) if x]
            for piece in pieces:
                ident = table.get(_fold(piece))
                (found if ident else unknown).append(ident or piece)
        for part in unknown:
            note(f"{key}: '{part}' är ingen {what} i handboken. Välj en av: {', '.join(sorted(set(table.values())))}.")
        return list(dict.fromkeys(found))

    # typ
    if "typ" in out:
        typer = {}
        for t in handbook.kommun.dokumenttyper.values():
            typer.update({_fold(t.namn): t.id, _fold(t.plural): t.id, _fold(t.id): t.id})
        typ = typer.get(_fold(str(out["typ"])))
        if typ is None:
            note(f"typ: '{out['typ']}' är ingen dokumenttyp i data/kommun.yml. Välj en av: "
                 f"{', '.join(handbook.kommun.dokumenttyper)}.")
            del out["typ"]
        else:
            out["typ"] = typ

    # beslutad av, possibly with the decision's date and § ("Antagen av KS 2015-10-28, § 100")
    beslut = None
    day = paragraf = None
    deciders: list[str] = []
    for key in ("beslutad_av", "beslutad"):
        if key not in out:
            continue
        text, when, par = _strip_decision(str(out.pop(key)))
        day, paragraf = day or when, paragraf or par
        if text:
            deciders += [i for i in ids_of(text, instanser, "nämnd eller roll", "beslutad_av") if i not in deciders]
    if deciders:
        out["beslutad_av"] = deciders if len(deciders) > 1 else deciders[0]
        if day:
            beslut = {"instans": deciders[0], "datum": day, **({"paragraf": paragraf} if paragraf else {}),
                      "andring": "ny"}

    # diarienummer: one per nämnd when several decide
    if "diarienummer" in out:
        nummer = [n for n in re.split(r"\s*[,;\n]\s*", str(out["diarienummer"])) if n]
        deciders = out.get("beslutad_av")
        deciders = deciders if isinstance(deciders, list) else [deciders] if deciders else []
        if len(nummer) > 1 and len(nummer) == len(deciders):
            out["diarienummer"] = dict(zip(deciders, nummer))
        elif len(nummer) > 1:
            note(f"diarienummer: {len(nummer)} nummer ({', '.join(nummer)}) men {len(deciders)} beslutande "
                 f"{'instans' if len(deciders) == 1 else 'instanser'}; numren står som en text. Ange ett nummer per "
                 "nämnd: {nämnd-id: nummer}.")
        if beslut is not None and isinstance(out.get("diarienummer"), str):
            beslut["diarienummer"] = out["diarienummer"]
    if beslut is not None:
        out["beslut"] = [beslut]
        out.setdefault("galler_fran", beslut["datum"])

    # dokumentansvarig: a role, a role and a person, or a person
    if "dokumentansvarig" in out:
        value = str(out["dokumentansvarig"]).strip()
        role = instanser.get(_fold(value))
        if role in handbook.roller:
            out["dokumentansvarig"] = role
        else:
            found = next(((r.id, r.namn) for r in handbook.roller.values()
                          if _fold(value).startswith(_fold(r.namn) + " ")), None)
            if found:
                person = value[len(found[1]):].strip(" ,()")
                out["dokumentansvarig"] = {"roll": found[0], "namn": person} if person else found[0]
            else:
                roll = default_role if default_role in handbook.roller else next(iter(handbook.roller), None)
                out["dokumentansvarig"] = {"roll": roll, "namn": value}
                note(f"dokumentansvarig: '{value}' är ingen roll i data/roller.yml; namnet står under "
                     f"dokumentansvarig.namn och rollen blev '{roll}'. Kontrollera rollen.")

    # lists of handbook things
    if "galler_for" in out:
        org = {}
        for o in handbook.org.values():
            org.update({_fold(o.namn): o.id, _fold(o.id): o.id})
        ids = ids_of(str(out.pop("galler_for")), org, "organisationsenhet", "galler_for")
        if ids:
            out["galler_for"] = ids
    if "lagrum" in out:
        text = str(out.pop("lagrum"))
        refs = [r.lagrum.id for r in references_in_text(text, number_index(handbook.lagrum))]
        short = {_fold(lr.kortnamn): lr.id for lr in handbook.lagrum.values() if lr.kortnamn and lr.status == "gällande"}
        refs += [short[_fold(p)] for p in _SPLIT.split(text) if _fold(p) in short]
        if refs:
            out["lagrum"] = list(dict.fromkeys(refs))
        if not refs or len(_SPLIT.split(text)) > len(set(refs)):
            note(f"lagrum: '{text}' kunde inte föras över helt (hittade: {', '.join(dict.fromkeys(refs)) or 'inget'}). "
                 "Lägg till saknade lagar i data/lagrum.yml och ange deras id.")
    if "relaterade" in out:
        titles = {_fold(d.titel): d.id for d in handbook.dokument.values()}
        ids = ids_of(str(out.pop("relaterade")), titles, "titel på ett dokument", "relaterade")
        if ids:
            out["relaterade"] = ids
    if "ersatter" in out:
        titles = {_fold(d.titel): d.id for d in handbook.dokument.values()}
        out["ersatter"] = titles.get(_fold(str(out["ersatter"])), out["ersatter"])
    if "process" in out:
        ls = handbook.extra.get("ledningssystem")
        procs = {_fold(p.namn): p.id for p in getattr(ls, "processer", {}).values()} if ls else {}
        out["process"] = procs.get(_fold(str(out["process"])), out["process"])
    for key in ("upprattad", "reviderad"):
        if key in out and isinstance(out[key], str):
            text, day, _p = _strip_decision(out[key])
            who = instanser.get(_fold(text), text or None)
            out[key] = {k: v for k, v in (("datum", day), ("av", who)) if v}
    _own_fields(out, handbook, note, instanser)

    for key in ("typ", "beslutad_av", "galler_fran", "dokumentansvarig"):
        if key not in out:
            note(f"{key} saknas i dokumenthuvudet (eller kunde inte föras över). Fyll i det i front matter.")
    return out, notes


def _own_fields(out: dict, handbook: Handbook, note: Callable[[str], None], instanser: dict[str, str]) -> None:
    for key, eget in handbook.kommun.egna_falt.items():
        if key not in out:
            continue
        value = str(out[key])
        if eget.typ == "datum":
            day = parse_date(value)
            if day is None:
                note(f"{key}: '{value}' är inget datum. Skriv ÅÅÅÅ-MM-DD i front matter.")
                del out[key]
            else:
                out[key] = day
        elif eget.typ == "roll":
            role = instanser.get(_fold(value))
            if role in handbook.roller:
                out[key] = role
            else:
                note(f"{key}: '{value}' är ingen roll i data/roller.yml. Ange en roll-id.")
                del out[key]
        elif eget.typ == "dokument":
            titles = {_fold(d.titel): d.id for d in handbook.dokument.values()}
            if _fold(value) in titles:
                out[key] = titles[_fold(value)]
            else:
                note(f"{key}: dokumentet '{value}' finns inte i handboken. Ange ett dokument-id.")
                del out[key]
