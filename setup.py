"""Build step: compile the gettext catalogs (locales/*.po) into .mo files inside the wheel.

Everything else about the package is in setup.cfg. Without Babel at build time
the .mo files are left out, and consent-kit compiles them on first use.
"""

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py


class BuildWithCatalogs(build_py):
    """build_py, then a .mo beside each .po in the built consent_kit/locales."""

    def run(self):
        super().run()
        try:
            from babel.messages.mofile import write_mo
            from babel.messages.pofile import read_po
        except ImportError:
            return
        source = Path(__file__).resolve().parent / "locales"
        target = Path(self.build_lib) / "consent_kit" / "locales"
        for po in source.glob("*/LC_MESSAGES/*.po"):
            mo = target / po.relative_to(source).with_suffix(".mo")
            mo.parent.mkdir(parents=True, exist_ok=True)
            with po.open("rb") as handle:
                catalog = read_po(handle, locale=po.parent.parent.name)
            with mo.open("wb") as handle:
                write_mo(handle, catalog, use_fuzzy=False)


setup(cmdclass={"build_py": BuildWithCatalogs})
