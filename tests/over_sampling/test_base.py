"""What the over-samplers share (``_base.py``): blocked distances and the docstring entries
written once."""

import inspect
import re

import numpy as np
import pytest
from scipy.spatial.distance import cdist

import skcluster.over_sampling as sko
from skcluster import config_context
from skcluster.over_sampling._base import distance_blocks, fill_doc


@pytest.mark.parametrize("metric", ["sqeuclidean", "cityblock"])
@pytest.mark.parametrize("temporaries, n_blocks", [(1, 3), (6, 13)])
def test_distance_blocks_cover_the_rows_in_memory_sized_blocks(metric, temporaries, n_blocks):
    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(700, 3)), rng.normal(size=(400, 3))
    whole = list(distance_blocks(X, Y, metric, temporaries))
    # 1 MiB holds 327 rows of 400 float64 distances, 54 rows of 6 such arrays
    with config_context(working_memory=1):
        blocks = list(distance_blocks(X, Y, metric, temporaries))
    assert len(whole) == 1 and len(blocks) == n_blocks
    starts = [rows.start for rows, _ in blocks]
    stops = [rows.stop for rows, _ in blocks]
    assert starts[0] == 0 and starts[1:] == stops[:-1] and stops[-1] == len(X)
    D = np.vstack([d for _, d in blocks])
    np.testing.assert_array_equal(D, whole[0][1])  # a row's distances, whatever the blocks
    np.testing.assert_allclose(D, cdist(X, Y, metric), rtol=1e-12, atol=1e-12)


def test_every_sampler_docstring_has_its_shared_entries_filled_in():
    for name in sko.__all__:
        doc = inspect.getdoc(getattr(sko, name))
        assert not re.search(r"^\s*\{\w+\}\s*$", doc, re.MULTILINE), name
        assert "sampling_strategy : float, str, dict or callable" in doc, name
        assert "random_state : int, RandomState instance or None" in doc, name


def test_fill_doc_indents_an_entry_as_its_line():
    @fill_doc(
        extra="""
        extra : int
            An entry of a module's own."""
    )
    class Sampler:
        """Summary.

        Parameters
        ----------
        {random_state}
        {extra}
        """

    assert Sampler.__doc__.splitlines()[4:8] == [
        "        random_state : int, RandomState instance or None, default=None",
        "            Seed of the draws.",
        "        extra : int",
        "            An entry of a module's own.",
    ]
    with pytest.raises(KeyError, match="unknown"):
        fill_doc()(type("Other", (), {"__doc__": "Summary.\n\n    {unknown}\n"}))
