"""Sphinx configuration: pydata theme, numpydoc, autosummary, sphinx-gallery, MyST."""

import os
import sys
import tempfile
import warnings

sys.path.insert(0, os.path.abspath(".."))
import skcluster  # noqa: E402

project = "skcluster"
copyright = "2026, the skcluster developers"
release = skcluster.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.intersphinx",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
    "myst_parser",
]
autosummary_generate = True
autodoc_default_options = {"members": True, "inherited-members": False}
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
templates_path = ["_templates"]
exclude_patterns = ["_build", "auto_examples/*.ipynb", "auto_examples/*.py"]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
# no network at build time: the peers' inventories are written from the installed
# packages (_ext/inventories.py) instead of downloaded
sys.path.insert(0, os.path.abspath("_ext"))
from inventories import write_inventories  # noqa: E402

intersphinx_mapping = write_inventories(tempfile.mkdtemp(prefix="skcluster-inventories-"))

sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": "/plot_",
    "ignore_pattern": "quickstart",
    "download_all_examples": False,
    "plot_gallery": os.environ.get("SKCLUSTER_DOCS_GALLERY", "True"),
    "remove_config_comments": True,
    # two examples at a time (joblib processes): the gallery is most of the docs test's time
    "parallel": 2,
}
warnings.filterwarnings("ignore", category=UserWarning, message="Matplotlib is currently")

html_theme = "pydata_sphinx_theme"
html_title = f"skcluster {release}"
html_theme_options = {"navigation_with_keys": False, "show_prev_next": False}
html_static_path = []
