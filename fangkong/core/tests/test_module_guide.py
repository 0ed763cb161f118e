"""docs/adding-a-module.md is true: every module has the files its table marks "yes" (read
from the page itself, so the guide and this test cannot drift apart), a `tables.py` when a
page lists rows, and names every one of its routes, pages and API, in its own
``tests/routes.py`` for the access walk."""

from __future__ import annotations

import importlib
import importlib.util
import re
from pathlib import Path
from types import ModuleType

import pytest
from django.apps import apps
from django.conf import settings
from django.urls import URLPattern, URLResolver

from fangkong.core.views import ObjectListView

GUIDE = Path(settings.BASE_DIR) / "docs" / "adding-a-module.md"
PACKAGE = Path(settings.BASE_DIR) / "fangkong"


def _guide() -> str:
    return GUIDE.read_text(encoding="utf-8")


def _foundation() -> set[str]:
    """The apps the guide lists as the foundation (bullets ``- `name`: …`` after the line
    that introduces them)."""
    text = _guide()
    start = text.index("The apps\nbelow are the foundation")
    block = text[start : text.index("\n\n", text.index("\n- ", start))]
    return set(re.findall(r"^- `(\w+)`:", block, flags=re.MULTILINE))


def _file_rows() -> dict[str, str]:
    """The table under "## The files": file → its "Every module" cell."""
    text = _guide()
    section = text[text.index("## The files") :]
    section = section[: section.index("\n## ", 1)]
    rows = {}
    for line in section.splitlines():
        match = re.match(r"\| `([^`]+)` \| ([^|]+) \|", line)
        if match:
            rows[match.group(1)] = match.group(2).strip()
    return rows


def _required_files() -> list[str]:
    return [name for name, every in _file_rows().items() if every == "yes"]


def _modules() -> list[str]:
    """Every project app that is not foundation: what the guide's table applies to."""
    foundation = _foundation()
    return sorted(
        config.label
        for config in apps.get_app_configs()
        if config.name.startswith("fangkong.") and config.label not in foundation
    )


def _has(app: str, name: str) -> bool:
    """A file of the table, or the package it grew into (``models.py`` → ``models/``)."""
    name = name.replace("<app>", app)
    path = PACKAGE / app / name
    if name.endswith("/"):
        return path.is_dir() and any(path.iterdir())
    package = path.with_suffix("") / "__init__.py"
    return path.is_file() or (path.suffix == ".py" and package.is_file())


def test_the_guide_names_its_modules_and_the_foundation() -> None:
    # The parsers below must find something, or every check after them passes on nothing.
    assert _foundation() == {"core", "accounts", "areas", "reports"}
    assert {"apps.py", "models.py", "services.py", "tests/routes.py"} <= set(_required_files())
    assert "tables.py" in _file_rows()
    modules = _modules()
    assert {"access", "health", "registry", "screening", "staff"} <= set(modules)
    text = _guide()
    for module in modules:
        assert f"`{module}`" in text.split("The apps\nbelow")[0], f"name {module} among the modules"


@pytest.mark.parametrize("app", _modules())
def test_every_module_has_the_files_the_guide_lists(app: str) -> None:
    missing = [name for name in _required_files() if not _has(app, name)]
    assert not missing, f"{app} lacks what docs/adding-a-module.md says every module has: {missing}"


def _views_modules(app: str) -> list[ModuleType]:
    package = f"fangkong.{app}.views"
    module = importlib.import_module(package)
    found = [module]
    if hasattr(module, "__path__"):
        for path in sorted(Path(module.__path__[0]).glob("*.py")):
            if path.stem != "__init__":
                found.append(importlib.import_module(f"{package}.{path.stem}"))
    return found


@pytest.mark.parametrize("app", _modules())
def test_a_module_whose_pages_list_rows_has_tables(app: str) -> None:
    lists = [
        value
        for module in _views_modules(app)
        for value in vars(module).values()
        if isinstance(value, type)
        and issubclass(value, ObjectListView)
        and value.__module__.startswith(f"fangkong.{app}.")
        and value.table_class is not None
    ]
    if lists:
        assert _has(app, "tables.py"), f"{app} lists rows ({lists[0].__name__}) without tables.py"
        # A page may show another app's table (health's person finder shows the registry's).
        outside = [
            view.__name__ for view in lists if not view.table_class.__module__.endswith(".tables")
        ]
        assert not outside, f"{app}'s tables belong in a tables.py: {outside}"


def _page_route_names(app: str) -> set[str]:
    urls = importlib.import_module(f"fangkong.{app}.urls")
    names: set[str] = set()

    def walk(patterns: list) -> None:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns)
            elif isinstance(entry, URLPattern) and entry.name:
                names.add(f"{urls.app_name}:{entry.name}")

    walk(urls.urlpatterns)
    return names


def _api_route_names(app: str) -> set[str]:
    """The API routes of the app's viewsets, wherever they are registered (most apps'
    ``register(router)``, the registry's in fangkong/api_urls.py)."""
    from fangkong.api_urls import router

    return {
        f"api:{pattern.name}"
        for pattern in router.urls
        if pattern.callback.cls.__module__.startswith(f"fangkong.{app}.")
    }


@pytest.mark.parametrize("app", _modules())
def test_every_route_of_a_module_is_in_its_own_walk_routes(app: str) -> None:
    name = f"fangkong.{app}.tests.routes"
    assert importlib.util.find_spec(name) is not None, f"{app} has no tests/routes.py"
    walked = set(importlib.import_module(name).ROUTES)
    own = _page_route_names(app) | _api_route_names(app)
    assert own, f"{app} has no routes: the check would pass on nothing"
    missing = own - walked
    assert not missing, f"add to fangkong/{app}/tests/routes.py: {sorted(missing)}"


def test_the_access_walk_merges_every_modules_routes() -> None:
    from fangkong.core.tests.walk_routes import APP_ROUTE_MODULES

    merged = {module.__name__ for module in APP_ROUTE_MODULES}
    assert {f"fangkong.{app}.tests.routes" for app in _modules()} <= merged
