"""Every docstring example of the installed package runs and prints what it shows."""

import doctest
import importlib
import pkgutil

import pytest

import skcluster

MODULES = sorted(
    info.name
    for info in pkgutil.walk_packages(skcluster.__path__, prefix="skcluster.")
    if ".tests" not in info.name
)


@pytest.mark.parametrize("name", ["skcluster"] + MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    finder = doctest.DocTestFinder(exclude_empty=True)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    for test in finder.find(module, name, globs={}):
        if test.lineno is not None or test.examples:
            runner.run(test)
    result = runner.summarize(verbose=False)
    assert result.failed == 0, f"{result.failed} docstring example(s) failed in {name}"
