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


GUIDE = sorted(p.stem for p in (ROOT / "doc" / "user_guide").glob("*.rst") if p.stem != "index")


@pytest.mark.parametrize("page", GUIDE)
def test_user_guide_pages_show_code_a_figure_and_the_api(site, page):
    html = (site / "user_guide" / f"{page}.html").read_text()
    assert '<span class="gp">&gt;&gt;&gt; </span>' in html, f"{page}: no code example"
    assert 'href="../api.html' in html or 'href="../generated/' in html, f"{page}: no API link"
    if page != "backend":  # the backend has no gallery example of its own
        assert "sphx_glr_plot_" in html and "../auto_examples/plot_" in html, page


def test_peers_are_linked_without_a_network(site):
    """intersphinx from inventories written at build time (doc/_ext/inventories.py)."""
    links = {
        "user_guide/ppp.html": "https://scikit-learn.org/stable/modules/generated/"
        "sklearn.mixture.GaussianMixture.html#sklearn.mixture.GaussianMixture",
        "index.html": "https://imbalanced-learn.org/stable/references/generated/"
        "imblearn.pipeline.Pipeline.html#imblearn.pipeline.Pipeline",
        "generated/skcluster.neighbors.NearestNeighbors.html": "https://scikit-learn.org/"
        "stable/modules/generated/sklearn.neighbors.NearestNeighbors.html",
        "generated/skcluster.metrics.clustering_accuracy.html": "https://docs.scipy.org/doc/"
        "scipy/reference/generated/scipy.optimize.linear_sum_assignment.html",
    }
    for page, url in links.items():
        assert url in (site / page).read_text(), f"{page} does not link {url}"


def test_landing_page_says_how_to_install():
    text = (ROOT / "doc" / "index.rst").read_text()
    assert "pip install ." in text and ">>> from skcluster" in text
