"""mkdocs-macros entry point: a thin registry over the styrdok package (see src/styrdok/site/adapter.py)."""
from styrdok.site.adapter import after_page, before_page, register


def define_env(env):
    register(env)


def on_pre_page_macros(env):
    before_page(env)


def on_post_page_macros(env):
    after_page(env)
