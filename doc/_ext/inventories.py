"""Intersphinx inventories of the peers, written from the installed packages.

The documentation builds without a network (CI has none), so the inventories that
intersphinx would download are written here instead: every public name of each package's
public modules, with the page its project's documentation gives it (the URL scheme of
each site's API reference). They are written at build time, so they match the versions
installed; a package that is not installed gets no inventory.
"""

import importlib
import inspect
import zlib
from pathlib import Path

# project -> (site, modules whose __all__ (or public names) are documented, page of a
# name: '{}' is the full name, a trailing '$' is intersphinx's own stand-in for it)
PROJECTS = {
    "sklearn": (
        "https://scikit-learn.org/stable/",
        None,  # sklearn.__all__ lists its modules
        "modules/generated/{}.html#$",
    ),
    "imblearn": (
        "https://imbalanced-learn.org/stable/",
        [
            "over_sampling",
            "under_sampling",
            "combine",
            "ensemble",
            "pipeline",
            "metrics",
            "datasets",
            "utils",
            "base",
        ],
        "references/generated/{}.html#$",
    ),
    "numpy": (
        "https://numpy.org/doc/stable/",
        [""],
        "reference/generated/{}.html#$",
    ),
    "scipy": (
        "https://docs.scipy.org/doc/scipy/",
        [
            "sparse",
            "sparse.linalg",
            "sparse.csgraph",
            "linalg",
            "optimize",
            "spatial",
            "spatial.distance",
            "stats",
            "special",
            "cluster.hierarchy",
        ],
        "reference/generated/{}.html#$",
    ),
    "dask": (
        "https://docs.dask.org/en/stable/",
        ["array", "dataframe"],
        "generated/{}.html#$",
    ),
}
# names whose page is not the generated one of the scheme
SPECIAL = {
    "numpy": {
        "numpy.random.Generator": ("py:class", "reference/random/generator.html#$"),
        "numpy.random.RandomState": ("py:class", "reference/random/legacy.html#$"),
        "numpy.random.default_rng": ("py:function", "reference/random/generator.html#$"),
        "numpy.float32": ("py:attribute", "reference/arrays.scalars.html#$"),
        "numpy.float64": ("py:attribute", "reference/arrays.scalars.html#$"),
        "numpy.memmap": ("py:class", "reference/generated/numpy.memmap.html#$"),
    },
}


def _public_names(module):
    names = getattr(module, "__all__", None)
    if names is None:
        names = [n for n in dir(module) if not n.startswith("_")]
    return names


def _entries(project, modules, page):
    """Inventory lines of ``project``: its special names first, then each module's."""
    root = importlib.import_module(project)
    if modules is None:
        modules = [m for m in root.__all__ if not m.startswith("_")]
    # scikit-learn and imbalanced-learn document methods on their class's page, the
    # others on a page of their own
    anchored = project in ("sklearn", "imblearn")
    with_methods = project != "numpy"  # its scalar types' methods are not documented
    lines = [f"{full} {role} 1 {uri} -" for full, (role, uri) in SPECIAL.get(project, {}).items()]
    for sub in modules:
        name = f"{project}.{sub}" if sub else project
        try:
            module = importlib.import_module(name)
        except Exception:  # an optional part (imblearn.keras, ...): no entry
            continue
        if project == "sklearn":
            lines.append(f"{name} py:module 0 api/{name}.html#module-$ -")
        for attr in _public_names(module):
            try:
                obj = getattr(module, attr, None)
            except ImportError:  # experimental (HalvingGridSearchCV): needs an opt-in import
                continue
            full = f"{name}.{attr}"
            if obj is None or inspect.ismodule(obj):
                continue
            if inspect.isclass(obj):
                lines.append(f"{full} py:class 1 {page.format(full)} -")
                for method, value in vars(obj).items() if with_methods else ():
                    if method.startswith("_") or not callable(value):
                        continue
                    uri = page.format(full if anchored else f"{full}.{method}")
                    lines.append(f"{full}.{method} py:method 1 {uri} -")
            elif callable(obj):
                lines.append(f"{full} py:function 1 {page.format(full)} -")
    return lines


def write_inventories(outdir):
    """Write ``<project>.inv`` for each installed peer; returns intersphinx_mapping."""
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    mapping = {}
    for project, (site, modules, page) in PROJECTS.items():
        try:
            version = importlib.import_module(project).__version__
            lines = _entries(project, modules, page)
        except ImportError:  # not installed: no links to it
            continue
        # one entry per name (a special page, or the first module listing it, wins)
        seen, unique = set(), []
        for line in lines:
            key = line.split(" ")[0]
            if key not in seen:
                seen.add(key)
                unique.append(line)
        header = (
            "# Sphinx inventory version 2\n"
            f"# Project: {project}\n"
            f"# Version: {version}\n"
            "# The remainder of this file is compressed using zlib.\n"
        )
        body = zlib.compress(("\n".join(unique) + "\n").encode())
        path = outdir / f"{project}.inv"
        path.write_bytes(header.encode() + body)
        mapping[project] = (site, str(path))
    return mapping
