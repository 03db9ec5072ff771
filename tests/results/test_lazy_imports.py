"""Start-up stays light: heavy libraries load only when the feature that needs them runs (issue 22).

Checked in a fresh interpreter (``sys.modules``), never by timing: every CLI
command and every server worker pays for what ``import consent_kit`` pulls in.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import consent_kit

#: PDF, Excel, data frames, SPSS/Stata, HarfBuzz, MP3, QR images, Markdown, numbers.
HEAVY = ("weasyprint", "fpdf", "openpyxl", "xlsxwriter", "pandas", "pyreadstat", "uharfbuzz",
         "lameenc", "qrcode", "markdown", "numpy")


def loaded_after(code: str) -> list[str]:
    """The heavy modules present in ``sys.modules`` after running ``code`` in a new interpreter."""
    script = textwrap.dedent(code) + textwrap.dedent(f"""
        import json, sys
        print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=120, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_importing_the_package_loads_no_heavy_library():
    assert loaded_after("import consent_kit") == []


def test_the_command_line_and_its_help_load_no_heavy_library():
    code = """
        import sys
        from consent_kit.cli import main
        sys.argv = ["consent-kit", "--help"]
        try:
            main()
        except SystemExit:
            pass
    """
    assert loaded_after(code) == []


def test_the_app_with_every_plugin_loads_no_heavy_library(tmp_path):
    code = f"""
        import logging
        logging.disable(logging.CRITICAL)
        from consent_kit import create_app
        create_app({{"SECRET_KEY": "x" * 32}}, instance={str(tmp_path)!r})
    """
    assert loaded_after(code) == []


def test_the_check_really_sees_a_heavy_import():
    # Without this, a broken check (say, a wrong module name) would pass every test above.
    assert loaded_after("import consent_kit.results.xlsx, xlsxwriter") == ["xlsxwriter"]


# ``consent-kit --help`` and ``import consent_kit`` stay quick (issue 22, item 4): the public API
# loads what a name needs when it is first used, and the command line loads Flask, the app and
# the store only inside the commands that use them.

#: What a web server needs and a command line's start-up must not pay for.
WEB = ("flask", "werkzeug", "tinydb", "flask_babel", "wtforms")


def modules_after(code: str, names) -> list[str]:
    """Which of ``names`` are in ``sys.modules`` after running ``code`` in a new interpreter."""
    script = textwrap.dedent(code) + textwrap.dedent(f"""
        import json, sys
        print(json.dumps([m for m in {list(names)!r} if m in sys.modules]))
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=120, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_importing_the_command_line_loads_no_web_library():
    assert modules_after("import consent_kit.cli", WEB) == []


def test_importing_the_package_or_its_hook_marker_loads_no_web_library():
    # Every plugin module starts with ``from consent_kit import hookimpl``.
    assert modules_after("from consent_kit import hookimpl", WEB + ("consent_kit.app",)) == []


def test_the_help_loads_neither_the_app_nor_the_commands_that_are_not_run():
    code = """
        import io, sys, contextlib
        from consent_kit.cli import main
        sys.argv = ["consent-kit", "--help"]
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            try:
                main()
            except SystemExit:
                pass
        # the plugins' commands are still listed
        assert "qr " in out.getvalue() and "migrate-store" in out.getvalue(), out.getvalue()
    """
    heavy = ("consent_kit.app", "consent_kit.survey.load.imported", "consent_kit_plugins.qr_entry.command",
             "consent_kit.incentives.plugin", "consent_kit.findings.plugin",
             "consent_kit.defaults.question_types", "consent_kit.results.export_versions")
    # No built-in plugin loads Flask, the store or its pages just by being registered.
    assert modules_after(code, heavy + WEB) == []


def test_the_check_sees_an_import_when_there_is_one():
    # Without this, a broken check (a misspelt module name, say) would pass every test above.
    assert modules_after("import consent_kit.cli, werkzeug", WEB) == ["werkzeug"]
    assert modules_after("from consent_kit import create_app", ("flask", "consent_kit.app")) == [
        "flask", "consent_kit.app"]


def test_every_public_name_is_there_and_in_all():
    code = """
        import consent_kit
        names = sorted(consent_kit.__all__)
        missing = [n for n in names if getattr(consent_kit, n, None) is None]
        star = {}
        exec("from consent_kit import *", star)
        assert not missing, missing
        assert set(names) <= set(star), set(names) - set(star)
        print(len(names))
    """
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
                          timeout=120, check=True)
    assert int(done.stdout.strip()) == len(consent_kit.__all__) > 40


def test_a_name_comes_from_the_module_that_defines_it():
    from consent_kit.i18n import translations
    from consent_kit.store import EmbeddedStore
    from consent_kit.survey.model import Survey

    assert consent_kit.Survey is Survey
    assert consent_kit.EmbeddedStore is EmbeddedStore
    assert consent_kit.translations is translations  # a submodule, not a name in a module
    assert set(consent_kit._LAZY) | {"hookimpl"} == set(consent_kit.__all__)


def test_an_unknown_name_is_an_attribute_error():
    try:
        consent_kit.NoSuchThing  # noqa: B018
    except AttributeError as error:
        assert "NoSuchThing" in str(error)
    else:
        raise AssertionError("consent_kit.NoSuchThing should not exist")
    assert not hasattr(consent_kit, "no_such_thing")
