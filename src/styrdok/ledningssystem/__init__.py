"""Ledningssystem för systematiskt kvalitetsarbete (SOSFS 2011:9) as data: ansvar, processer,
enheternas ledningssystem, kvalitetsplaner, årshjul and the föreskrift's paragraphs.

Importing this module (it is listed in styrdok.parts.PART_MODULES) registers its loader, macros,
generated pages and files, the pages printed as Word (styrdok.printpages), and the JSON Schemas of its data files.
"""
from __future__ import annotations

from .. import load as core_load
from ..parts import GENERATED_FILES, GENERATED_PAGES, PRINT_PAGES, SCHEMAS
from ..render.markdown import PROVIDERS
from . import model as lm
from .load import load_ledningssystem
from .macros import ls_macros
from .pages import generated_files, generated_pages, print_pages

core_load.EXTRA_LOADERS.append(load_ledningssystem)
PROVIDERS.append(ls_macros)
GENERATED_PAGES.append(generated_pages)
GENERATED_FILES.append(generated_files)
PRINT_PAGES.append(print_pages)
SCHEMAS.update({
    "ansvar": ("data/ansvar.yml", list[lm.AmneFil]),
    "processer": ("data/processer.yml", list[lm.ProcessFil]),
    "enhet": ("data/enheter/*.yml", lm.EnhetLsFil),
    "kvalitetsplan": ("data/kvalitetsplaner/*.yml", lm.KvalitetsplanFil),
    "arshjul": ("data/arshjul.yml", lm.ArshjulFil),
    "sosfs-2011-9": ("data/sosfs-2011-9.yml", list[lm.KapitelFil]),
})
