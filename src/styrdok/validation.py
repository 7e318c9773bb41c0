"""Turn pydantic's validation errors into Swedish problems with file, line and key."""
from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from .problems import Problems, choices
from .yamlio import LineMap, odd_in

M = TypeVar("M", bound=BaseModel)
# The errors that only say a value has another form than one member of a union expects.
_WRONG_FORM = {"string_type", "model_type", "model_attributes_type", "dict_type", "list_type", "tuple_type",
               "int_type", "date_type"}

_TYPE_WORDS = {"str", "int", "date", "dict", "list", "tuple", "none", "literal", "function-after",
               "function-before", "function-plain", "function-wrap", "constrained-str", "bool"}


def _real_loc(loc: tuple) -> tuple:
    """Drop the names pydantic adds for union members (e.g. 'str', 'dict[str,str]', a model's class name
    such as 'DokumentansvarigFil': the handbook's own keys are lower case), so that one mistake in a
    field that takes either of two forms is one problem, not one per form."""
    out = []
    for part in loc:
        if isinstance(part, str) and (part.split("[")[0].lower() in _TYPE_WORDS
                                      or (part[:1].isupper() and part.isidentifier())):
            continue
        out.append(part)
    return tuple(out)


def _as_id(value: Any) -> str | None:
    """What a name written where an id belongs most likely meant: 'Barn och unga' -> 'barn-och-unga'."""
    if not isinstance(value, str):
        return None
    from .load import slug
    return slug(value) or None


def _key_path(loc: tuple) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _field_names(model: type[BaseModel], loc: tuple) -> list[str]:
    """The allowed keys of the (nested) model that `loc` points into."""
    current: Any = model
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        fields = getattr(current, "model_fields", None)
        if not fields or part not in fields:
            return []
        ann = fields[part].annotation
        # unwrap tuple[X, ...] / X | None
        for arg in getattr(ann, "__args__", ()) or ():
            if isinstance(arg, type) and issubclass(arg, BaseModel):
                ann = arg
                break
        current = ann
    fields = getattr(current, "model_fields", None)
    return list(fields) if fields else []


_DASHES = str.maketrans({c: "-" for c in "–—‐‑‒−"})


def _message(err: dict, model: type[BaseModel], loc: tuple) -> str:
    kind = err["type"]
    value = err.get("input")
    key = loc[-1] if loc else ""
    ctx = err.get("ctx") or {}
    if kind == "missing":
        return f"Fältet '{key}' saknas. Lägg till det (se dokumentationen i Om handboken)."
    hidden = odd_in(str(key)) if kind == "extra_forbidden" else \
        odd_in(value) if kind == "string_pattern_mismatch" and isinstance(value, str) else None
    copied = "(det följer ofta med text som kopierats från en webbsida eller Word)"
    if hidden and kind == "extra_forbidden":
        return (f"Nyckeln '{key}' har {hidden} i sig: den ser ut som en känd nyckel men är en annan {copied}. "
                "Skriv om nyckeln med tangentbordet.")
    if hidden:
        return (f"'{value}' har {hidden} i sig, så det är ingen giltig id fast det ser ut som en {copied}. "
                "Skriv om det med tangentbordet.")
    if kind == "extra_forbidden":
        allowed = _field_names(model, loc)
        return (f"Okänd nyckel '{key}'. Kontrollera stavningen; tillåtna nycklar här: "
                f"{choices(allowed, 30)}.")
    if kind.startswith("date") or kind.startswith("datetime"):
        dash = next((c for c in str(value) if c in "–—‐‑‒−"), None) if isinstance(value, str) else None
        if dash:
            return (f"'{value}' har tankstreck ({dash}) där datumet ska ha bindestreck (-): Word och telefonens "
                    f"tangentbord byter ibland det ena mot det andra. Skriv {value.translate(_DASHES)}.")
        return (f"'{value}' är inget giltigt datum. Skriv datumet som år-månad-dag med siffror, "
                f"t.ex. 2025-03-01.")
    if kind == "string_pattern_mismatch":
        likely = _as_id(value)
        example = f"här troligen '{likely}'" if likely and likely != value else "t.ex. 'lex-sarah'"
        return (f"'{value}' är ingen giltig id. En id består av små bokstäver a–z, siffror och "
                f"bindestreck, {example}.")
    if kind in {"int_parsing", "int_type", "int_from_float"}:
        return f"'{value}' ska vara ett heltal, t.ex. 24."
    if kind in {"greater_than_equal", "less_than_equal", "greater_than", "less_than"}:
        bound = next(iter(ctx.values()), "")
        rel = {"greater_than_equal": "minst", "less_than_equal": "högst",
               "greater_than": "större än", "less_than": "mindre än"}[kind]
        return f"Värdet {value} ska vara {rel} {bound}."
    if kind == "literal_error":
        return f"'{value}' är inte tillåtet här. Välj en av: {ctx.get('expected', '')}."
    if kind in {"string_type", "string_too_short"}:
        return "Värdet ska vara en text som inte är tom."
    if kind in {"list_type", "tuple_type", "too_short"}:
        return "Värdet ska vara en lista med minst ett värde, t.ex. [socialnamnden]."
    if kind in {"model_type", "model_attributes_type", "dict_type"}:
        return "Här ska stå nycklar med värden (t.ex. 'id: …' och 'namn: …'), inte en enkel text eller lista."
    return f"Ogiltigt värde: {err.get('msg')}."


def validate_model(model: type[M], data: Any, file: str, lines: LineMap, problems: Problems,
                   *, path_prefix: tuple = ()) -> M | None:
    """Validate data into model; on failure record one problem per distinct location."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        errors = [(err, _real_loc(tuple(err["loc"]))) for err in exc.errors()]
        deeper = {loc[:n] for _err, loc in errors for n in range(len(loc))}
        seen: set = set()
        for err, loc in errors:
            # a field that takes a text or a mapping, given a mapping with a mistake inside: the mistake,
            # not also "should be a text"
            if loc in seen or (loc in deeper and err["type"] in _WRONG_FORM):
                continue
            seen.add(loc)
            full = path_prefix + loc
            problems.error(file, lines.line(full), _message(err, model, loc), key=_key_path(full) or None)
        return None
