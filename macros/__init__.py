"""mkdocs-macros entry point of this repository: the same thin registry an installed styrdok offers
as the pluglet styrdok.site.macros (see src/styrdok/site/adapter.py)."""
from styrdok.site.macros import define_env, on_post_page_macros, on_pre_page_macros  # noqa: F401
