"""Tracked changes on the rendered page: two HTML trees in (the old and the new version, as
styrdok.render.html renders them), the new tree with what changed marked out.

Marks are insertion/deletion spans (`<span class="insertion" data-author data-date>`, which pandoc
turns into real Word revisions, w:ins / w:del, in paragraphs, list items, headings and table cells
alike) or, for a web page, `<ins>` and `<del>`.

The versions are compared in two steps, as a reader compares them:
1. blocks: paragraphs, headings, list items, table rows, definitions, captions; blocks that only
   moved or changed a little are paired by similarity;
2. words inside each changed pair. An inline element (a link, code, emphasis, an image) is one
   word, so a mark never cuts through it.

A deleted block stays in place with its text struck through (a deleted table row stays a row, a
deleted list item an item, a deleted list or table the whole list or table). A deleted word takes
one neighbouring space with it, so that accepting all changes leaves no double spaces. Code
blocks are not marked: the new version is shown as it is.
"""
from __future__ import annotations

import copy
import difflib
import re
from dataclasses import dataclass

from lxml import etree

LEAVES = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "dt", "dd", "li", "caption", "tr", "summary"}
BLOCKS = {"p", "div", "ul", "ol", "dl", "table", "pre", "blockquote", "details", "h1", "h2", "h3", "h4", "h5",
          "h6", "hr", "figure", "section"}
WORD = re.compile(r"\s+|[^\s]+")


class Marks:
    """Word: insertion/deletion spans with author and date (pandoc writes w:ins/w:del)."""

    def __init__(self, author: str = "", date: str = ""):
        self.author, self.date = author, date

    def span(self, kind: str):
        el = etree.Element("span")
        el.set("class", "insertion" if kind == "ins" else "deletion")
        el.set("data-author", self.author)
        el.set("data-date", self.date)
        return el


class HtmlMarks(Marks):
    """A web page: <ins> and <del>."""

    def span(self, kind: str):
        return etree.Element(kind)


# --- inline content as tokens ------------------------------------------------------------------------

@dataclass
class Token:
    key: str                # what is compared: the word, or an element's HTML
    node: object            # a str (text) or an element (deep copy, without its tail)

    @property
    def space(self) -> bool:
        return isinstance(self.node, str) and not self.node.strip()


def _inline_end(el) -> int:
    """Index of el's first block child: the children before it (and el.text) are its inline part."""
    for i, child in enumerate(el):
        if isinstance(child.tag, str) and child.tag in BLOCKS:
            return i
    return len(el)


def tokens(el) -> list[Token]:
    """el's inline part as words, spaces and whole inline elements."""
    out = [Token(w, w) for w in WORD.findall(el.text or "")]
    for child in list(el)[:_inline_end(el)]:
        node = copy.deepcopy(child)
        node.tail = None
        out.append(Token(etree.tostring(node, encoding="unicode", method="html"), node))
        out += [Token(w, w) for w in WORD.findall(child.tail or "")]
    return out


def _set_inline(el, nodes: list) -> None:
    """Replace el's inline part by nodes (str and elements), keeping its block children."""
    keep = list(el)[_inline_end(el):]
    for child in list(el):
        el.remove(child)
    el.text = None
    _append(el, nodes)
    for child in keep:
        el.append(child)


def _append(parent, nodes: list) -> None:
    for node in nodes:
        if isinstance(node, str):
            last = parent[-1] if len(parent) else None
            if last is None:
                parent.text = (parent.text or "") + node
            else:
                last.tail = (last.tail or "") + node
        else:
            parent.append(node)


def _span(tokens_: list[Token], kind: str, marks: Marks):
    span = marks.span(kind)
    _append(span, [copy.deepcopy(t.node) if not isinstance(t.node, str) else t.node for t in tokens_])
    return span


def _wrap(run: list[Token], kind: str, marks: Marks) -> list:
    """A run of tokens in one span, spaces outside; a deletion takes one neighbouring space inside."""
    if not any(not t.space for t in run):
        return [] if kind == "del" else [t.node for t in run]
    start = next(i for i, t in enumerate(run) if not t.space)
    end = max(i for i, t in enumerate(run) if not t.space) + 1
    lead, core, trail = run[:start], run[start:end], run[end:]
    if kind == "del" and trail:
        return [t.node for t in lead] + [_span(core + trail[:1], kind, marks)] + [t.node for t in trail[1:]]
    if kind == "del" and lead:
        return [t.node for t in lead[:-1]] + [_span(lead[-1:] + core, kind, marks)] + [t.node for t in trail]
    return [t.node for t in lead] + [_span(core, kind, marks)] + [t.node for t in trail]


def _words(old: list[Token], new: list[Token], marks: Marks) -> list:
    out: list = []
    matcher = difflib.SequenceMatcher(None, [t.key for t in old], [t.key for t in new], autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        a, b = old[i1:i2], new[j1:j2]
        if op == "equal":
            out += [t.node for t in b]
        elif op == "replace" and any(not t.space for t in a) and any(not t.space for t in b):
            start = next(i for i, t in enumerate(b) if not t.space)
            end = max(i for i, t in enumerate(b) if not t.space) + 1
            core_a = a[next(i for i, t in enumerate(a) if not t.space):max(i for i, t in enumerate(a) if not t.space) + 1]
            out += [t.node for t in b[:start]] + [_span(core_a, "del", marks), _span(b[start:end], "ins", marks)] \
                + [t.node for t in b[end:]]
        else:
            out += _wrap(a, "del", marks) + _wrap(b, "ins", marks)
    return out


# --- blocks --------------------------------------------------------------------------------------------

def _is_leaf(el) -> bool:
    if el.tag not in LEAVES:
        return False
    if el.tag in ("li", "dd"):
        # a list item of paragraphs is compared paragraph by paragraph; its own text (before a
        # nested list) makes it a leaf too
        return bool((el.text or "").strip()) or _inline_end(el) > 0
    return True


def leaves(root) -> list:
    """The leaf blocks of a tree in document order (see the module docstring)."""
    out = []
    for el in root.iter():
        if isinstance(el.tag, str) and el is not root and _is_leaf(el) and not any(
                a.tag in ("tr", "pre") for a in el.iterancestors()):
            out.append(el)
    return out


def _key(el) -> str:
    if el.tag == "tr":
        return "tr\0" + "\0".join(" ".join(t.key for t in tokens(c) if not t.space) for c in _cells(el))
    return el.tag + "\0" + " ".join(t.key for t in tokens(el) if not t.space)


def _cells(tr) -> list:
    return [c for c in tr if c.tag in ("td", "th")]


def _mark_whole(el, kind: str, marks: Marks) -> None:
    if el.tag == "pre":
        return
    if el.tag == "tr":
        for cell in _cells(el):
            _mark_whole(cell, kind, marks)
        return
    toks = tokens(el)
    if any(not t.space for t in toks):
        _set_inline(el, _wrap(toks, kind, marks) if kind == "ins" else [_span(
            toks[next(i for i, t in enumerate(toks) if not t.space):], kind, marks)])


def _pair(old, new, marks: Marks) -> None:
    if new.tag == "pre":
        return
    if new.tag == "tr":
        a, b = _cells(old), _cells(new)
        for x, y in zip(a, b):
            if _key(x) != _key(y):
                _set_inline(y, _words(tokens(x), tokens(y), marks))
        return
    _set_inline(new, _words(tokens(old), tokens(new), marks))


def _similar(a, b) -> float:
    if a.tag != b.tag:
        return 0.0
    if a.tag == "tr" and len(_cells(a)) != len(_cells(b)):
        return 0.0
    return difflib.SequenceMatcher(None, _key(a).split(), _key(b).split(), autojunk=False).ratio()


def _top(el, root):
    while el.getparent() is not None and el.getparent() is not root:
        el = el.getparent()
    return el


class _Placer:
    """Puts deleted old blocks into the new tree, in order, next to the block they followed."""

    def __init__(self, old_root, new_root, deleted: set, marks: Marks):
        self.old_root, self.new_root, self.marks = old_root, new_root, marks
        self.deleted = deleted
        self.last = None            # the element inserted last, and the anchor it was placed after
        self.last_anchor = None
        self.copied_tops: list = []     # elements (kept alive: lxml proxies' ids are not stable)

    def place(self, old_leaf, anchor, following) -> None:
        if old_leaf.tag == "pre":
            return
        top = _top(old_leaf, self.old_root)
        if all(id(x) in self.deleted for x in leaves_in(top)):
            if any(t is top for t in self.copied_tops):
                return
            self.copied_tops.append(top)
            block = copy.deepcopy(top)
            block.tail = "\n"
            for leaf in leaves_in(block):
                _mark_whole(leaf, "del", self.marks)
            self._insert_top(block, anchor)
            return
        piece = copy.deepcopy(old_leaf)
        for child in list(piece)[_inline_end(piece):]:
            piece.remove(child)
        _mark_whole(piece, "del", self.marks)
        piece.tail = "\n"
        if self.last is not None and self.last_anchor is anchor and self.last.tag == piece.tag:
            self.last.addnext(piece)
        elif anchor is not None and anchor.tag == piece.tag:
            anchor.addnext(piece)
        elif following is not None and following.tag == piece.tag:
            following.addprevious(piece)
        else:
            if piece.tag not in ("p", "h1", "h2", "h3", "h4", "h5", "h6"):
                piece.tag = "p"
            self._insert_top(piece, anchor)
            return
        self.last, self.last_anchor = piece, anchor

    def _insert_top(self, block, anchor) -> None:
        if self.last is not None and self.last_anchor is anchor and self.last.getparent() is self.new_root:
            self.last.addnext(block)
        elif anchor is None:
            self.new_root.insert(0, block)
            block.tail, self.new_root.text = (self.new_root.text or "") + "\n", None
        else:
            _top(anchor, self.new_root).addnext(block)
        self.last, self.last_anchor = block, anchor


def leaves_in(el) -> list:
    return ([el] if _is_leaf(el) else []) + leaves(el)


def track(old_root, new_root, marks: Marks) -> None:
    """Mark, in new_root, what differs from old_root (both parsed fragments, see wordhtml.parse)."""
    a, b = leaves(old_root), leaves(new_root)
    matcher = difflib.SequenceMatcher(None, [_key(x) for x in a], [_key(x) for x in b], autojunk=False)
    pending: list[tuple] = []            # (old leaf, new leaf before it or None)
    deleted: set = set()
    last_new = None
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            last_new = b[j2 - 1]
            continue
        olds, news = a[i1:i2], b[j1:j2]
        k = 0
        for new in news:
            best, best_score = None, 0.0
            for m in range(k, len(olds)):
                score = _similar(olds[m], new)
                if score > best_score:
                    best, best_score = m, score
                if score == 1.0:
                    break
            if best is not None and best_score >= 0.4:
                for gone in olds[k:best]:
                    pending.append((gone, last_new))
                _pair(olds[best], new, marks)
                k = best + 1
            else:
                _mark_whole(new, "ins", marks)
            last_new = new
        for gone in olds[k:]:
            pending.append((gone, last_new))
    deleted.update(id(old) for old, _ in pending)
    placer = _Placer(old_root, new_root, deleted, marks)
    position = {id(x): i for i, x in enumerate(b)}
    for old, anchor in pending:
        nxt = b[position[id(anchor)] + 1] if anchor is not None and position[id(anchor)] + 1 < len(b) else (
            b[0] if anchor is None and b else None)
        placer.place(old, anchor, nxt)
