"""The shape of the code holds: plugins use only the public API; pure packages stay free of Flask.

Both read the source (AST), so they fail the moment someone reaches around the
API, not when a behaviour happens to break.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import consent_kit

REPO = Path(__file__).resolve().parents[1]
BUILT_IN_PLUGINS = sorted(p for p in (REPO / "plugins").iterdir() if (p / "__init__.py").exists())
#: Besides the public names, a plugin may use consent_kit.testing in its own tests only.
FORBIDDEN_MODULES = ("tinydb", "flask.g")


def _python_files(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.py"))


def _violations(path: Path) -> list[str]:
    """Every place in a plugin's module that reaches past the public API."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        where = f"{path.name}:{getattr(node, 'lineno', 0)}"
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "consent_kit":
                found += [f"{where} imports consent_kit.{a.name}, which isn't public"
                          for a in node.names if a.name not in consent_kit.__all__]
            elif node.module.startswith("consent_kit.") or node.module.split(".")[0] == "tinydb":
                found.append(f"{where} imports {node.module}")
            elif node.module == "flask" and any(a.name == "g" for a in node.names):
                found.append(f"{where} imports flask.g (use the kit)")
        elif isinstance(node, ast.Import):
            found += [f"{where} imports {a.name}" for a in node.names
                      if a.name.startswith("consent_kit.") or a.name.split(".")[0] == "tinydb"]
        elif isinstance(node, ast.Attribute) and node.attr == "extensions":
            found.append(f"{where} reads app.extensions (use the kit)")
    return found


@pytest.mark.parametrize("plugin", BUILT_IN_PLUGINS, ids=lambda p: p.name)
def test_built_in_plugin_uses_only_the_public_api(plugin):
    problems = [v for path in _python_files(plugin) for v in _violations(path)]
    assert problems == []


def test_the_check_finds_each_way_of_reaching_around_the_api(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        "from consent_kit import hookimpl, Kit\n"
        "from consent_kit import _secret\n"
        "from consent_kit.store.tables import Tables\n"
        "import consent_kit.app\n"
        "from tinydb import Query\n"
        "from flask import current_app, g\n"
        "x = current_app.extensions['consent_kit']\n",
        encoding="utf-8")
    problems = _violations(sample)
    assert len(problems) == 6, problems
    assert not any("hookimpl" in p for p in problems)


#: Pure logic: no Flask, so it is tested without a server. Views, web forms (WTForms fields
#: with translated messages: survey/fields.py) and the app shell are not pure.
PURE_PACKAGES = ["survey", "consent", "participation", "results", "incentives", "store",
                 "studio/builder", "i18n"]
NOT_PURE = {"consent/views.py", "participation/views.py", "participation/drafts.py",
            "participation/finish.py", "participation/resume.py", "participation/withdraw.py",
            "participation/questions.py", "participation/forms.py", "results/views.py",
            "results/samples_views.py",
            "incentives/views.py", "incentives/budget_views.py", "incentives/plugin.py",
            "incentives/later.py",
            "studio/builder/views.py", "studio/builder/consent_views.py",
            "studio/builder/preview_views.py", "studio/builder/publish_views.py",
            "studio/builder/publish_check_views.py",
            "studio/builder/view_support.py", "studio/builder/settings_views.py",
            "survey/fields.py", "i18n/gettext.py"}
#: The shell's own modules that plugins, loaders and the command line use without an app.
TOP_LEVEL_PURE = ["paths.py", "clock.py", "plugins.py", "hookspecs.py", "plugin_calls.py",
                  "registry.py"]
FLASK = ("flask", "flask_babel", "flask_wtf", "werkzeug")


def _module_level_imports(path: Path) -> list[str]:
    """Modules imported when ``path`` loads (imports inside functions load later, if ever)."""
    names = []
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names += [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            names += [a.name for a in node.names]
    return names


def _pure_files() -> list[Path]:
    files = []
    for package in PURE_PACKAGES:
        folder = REPO / "consent_kit" / package
        for path in sorted(folder.glob("**/*.py")):
            if path.relative_to(REPO / "consent_kit").as_posix() in NOT_PURE:
                continue
            if "templates" not in path.parts:
                files.append(path)
    return files + [REPO / "consent_kit" / name for name in TOP_LEVEL_PURE]


def _as_file(module: str) -> Path | None:
    base = REPO / Path(*module.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.exists():
            return candidate
    return None


def test_pure_packages_import_no_flask_even_through_other_modules():
    pure = set(_pure_files())
    assert len(pure) > 40  # the list above really names the feature packages
    problems = []
    for path in sorted(pure):
        for name in _module_level_imports(path):
            if name.split(".")[0] in FLASK:
                problems.append(f"{path.relative_to(REPO)} imports {name}")
            elif name.startswith("consent_kit."):
                target = _as_file(name)
                if target is not None and target not in pure and target.name != "__init__.py":
                    problems.append(f"{path.relative_to(REPO)} imports {name}, which uses Flask")
    assert problems == []


def test_consent_kit_keeps_few_top_level_modules():
    modules = sorted(p.name for p in (REPO / "consent_kit").glob("*.py"))
    assert len(modules) <= 12, modules


def test_thank_you_payments_and_analysis_are_built_in_plugins_that_can_be_blocked(make_app):
    from consent_kit.plugins import plugin_info

    app = make_app()
    rows = {r["name"]: r for r in plugin_info(app.extensions["consent_kit"].pm)}
    assert rows["incentives"]["origin"] == rows["analysis"]["origin"] == "built-in"
    assert "register_survey_settings" in rows["incentives"]["hooks"]
    quiet = make_app(config={"BLOCKED_PLUGINS": ["incentives", "analysis"]})
    names = {r["name"] for r in plugin_info(quiet.extensions["consent_kit"].pm)}
    assert not {"incentives", "analysis"} & names
    rules = {rule.rule for rule in quiet.url_map.iter_rules()}
    assert not any("/budget" in r or "/claim" in r or "/analysis" in r for r in rules)
    # A survey promising a payment still loads: blocking a plugin never breaks a survey file.
    assert quiet.extensions["consent_kit"].catalog.broken == {}


def test_tinydb_is_imported_only_inside_the_store():
    users = []
    for path in sorted((REPO / "consent_kit").rglob("*.py")) + sorted((REPO / "plugins").rglob("*.py")):
        if (REPO / "consent_kit" / "store") in path.parents:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([node.module or ""] if isinstance(node, ast.ImportFrom)
                     else [a.name for a in node.names] if isinstance(node, ast.Import) else [])
            if any(name.split(".")[0] == "tinydb" for name in names):
                users.append(f"{path.relative_to(REPO)}:{node.lineno}")
    assert users == []


def test_no_module_imports_one_that_imports_it_back():
    """Import cycles make start-up depend on which module happens to load first."""
    modules = {}
    for path in (REPO / "consent_kit").rglob("*.py"):
        name = ".".join(path.relative_to(REPO).with_suffix("").parts).removesuffix(".__init__")
        modules[name] = path
    edges = {name: set() for name in modules}
    for name, path in modules.items():
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            module = node.module or "" if isinstance(node, ast.ImportFrom) else ""
            if module.startswith("consent_kit.") and node.level == 0:
                for alias in node.names:
                    target = f"{node.module}.{alias.name}"
                    edges[name].add(target if target in modules else node.module)
    cycles = []

    def visit(name, trail):
        if name in trail:
            cycles.append(" -> ".join(trail[trail.index(name):] + [name]))
            return
        for other in edges.get(name, ()):
            if other != "consent_kit":
                visit(other, trail + [name])

    for name in sorted(modules):
        visit(name, [])
    assert sorted(set(cycles)) == []
