"""The documentation site builds with warnings as errors, gallery executed (skipped where the
``docs`` extra is not installed; CI installs it)."""

import importlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
pytest.importorskip("sphinx")
pytest.importorskip("sphinx_gallery")
pytest.importorskip("numpydoc")
pytest.importorskip("pydata_sphinx_theme")
pytest.importorskip("myst_parser")

PUBLIC = {
    "skcluster.cluster": None,
    "skcluster.over_sampling": None,
    "skcluster.neighbors": None,
    "skcluster.metrics": None,
    "skcluster.model_selection": None,
    "skcluster.datasets": None,
    "skcluster.utils": None,
}
# aliases (documented on the pages of what they name)
ALIASES = {
    "PPP",
    "ILASDP",
    "PAIR_FEATURES",
    "cluster_ambiguity_scorer",
    "clustering_accuracy_scorer",
}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("html")
    env = dict(os.environ, MPLBACKEND="Agg")
    run = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "-q", "-b", "html", str(ROOT / "doc"), str(out)],
        capture_output=True,
        text=True,
        env=env,
        timeout=900,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    return out


def test_every_public_name_has_an_api_page_with_an_example(site):
    for module in PUBLIC:
        for name in importlib.import_module(module).__all__:
            if name in ALIASES:
                continue
            page = site / "generated" / f"{module}.{name}.html"
            assert page.exists(), f"no API page for {module}.{name}"
            assert "Examples" in page.read_text(), f"no example on {module}.{name}'s page"


def test_gallery_and_pages_are_built(site):
    for example in sorted((ROOT / "examples").glob("plot_*.py")):
        page = site / "auto_examples" / f"{example.stem}.html"
        html = page.read_text() if page.exists() else ""
        assert "sphx-glr-single-img" in html or "sphx-glr-multi-img" in html, example.stem
    for page in ["index", "install", "api", "cli", "benchmarks", "changelog"]:
        assert (site / f"{page}.html").exists()
    assert "bench_subspace.py" in (site / "benchmarks.html").read_text()
