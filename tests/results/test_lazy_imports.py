"""Start-up stays light: heavy libraries load only when the feature that needs them runs (issue 22).

Checked in a fresh interpreter (``sys.modules``), never by timing: every CLI
command and every server worker pays for what ``import consent_kit`` pulls in.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

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
