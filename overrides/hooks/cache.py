"""MkDocs hook: a page whose inputs did not change is not converted again (styrdok.site.pagecache)."""
from mkdocs.plugins import event_priority

from styrdok.site import pagecache


def on_startup(command, dirty):
    pagecache.on_startup(command)


def on_config(config):
    pagecache.on_config(config)
    return config


@event_priority(-100)           # after the generated pages are added
def on_files(files, config):
    pagecache.on_files(files)
    return files


@event_priority(-100)           # after the macros: the Markdown that is converted
def on_page_markdown(markdown, page, config, files):
    pagecache.on_page_markdown(page)
    return markdown


@event_priority(-100)           # after the other plugins' nav steps: a helper process starts from here
def on_nav(nav, config, files):
    pagecache.on_nav(nav, files)
    return nav


@event_priority(-100)           # after the other plugins' env steps
def on_env(env, config, files):
    pagecache.on_env(env, files)
    return env


def on_post_build(config):
    pagecache.on_post_build()


def on_shutdown():
    pagecache.on_shutdown()
