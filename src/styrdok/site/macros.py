"""mkdocs-macros pluglet (`macros: {modules: [styrdok.site.macros]}`): the same thin registry as the
repository's macros/__init__.py, importable from an installed styrdok."""
from .adapter import after_page, before_page, register


def define_env(env):
    register(env)


def on_pre_page_macros(env):
    before_page(env)


def on_post_page_macros(env):
    after_page(env)
