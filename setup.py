"""Builds compile the translation catalogues: an installed copy carries its .mo files
without a separate ``pybabel compile`` (package data is in pyproject.toml)."""

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

TRANSLATIONS = Path("corrections") / "translations"


class BuildWithCatalogues(build_py):
    def run(self):
        super().run()
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        for po in TRANSLATIONS.glob("*/LC_MESSAGES/*.po"):
            target = Path(self.build_lib) / po.with_suffix(".mo")
            target.parent.mkdir(parents=True, exist_ok=True)
            with po.open("rb") as source:
                catalogue = read_po(source)
            with target.open("wb") as out:
                write_mo(out, catalogue, use_fuzzy=True)


setup(cmdclass={"build_py": BuildWithCatalogues})
