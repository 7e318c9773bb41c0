"""MkDocs hook: the navigation is rendered once per build, not once per page (styrdok.site.navcache)."""
from styrdok.site.navcache import install


def on_env(env, config, files):
    install(env)
    return env
