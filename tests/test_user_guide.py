"""The code of the user guide and the landing page runs and prints what the pages say
(doctest on the .rst sources; no Sphinx needed)."""

import doctest
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parents[1] / "doc"
# the user guide's own index is a table of contents
PAGES = [DOC / "index.rst"] + [
    p for p in sorted((DOC / "user_guide").glob("*.rst")) if p.stem != "index"
]
NEEDS = {"dask": "dask.array"}


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.stem)
def test_page_examples_run(page, monkeypatch):
    if page.stem in NEEDS:
        pytest.importorskip(NEEDS[page.stem])
    monkeypatch.setenv("MPLBACKEND", "Agg")
    result = doctest.testfile(
        str(page),
        module_relative=False,
        optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE,
        report=True,
        verbose=False,
    )
    assert result.attempted > 0, f"{page.name} has no example"
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples failed"
