"""The skcluster command line, end to end on CSV files in a temporary folder."""

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import make_blobs, make_classification

from skcluster._cli import main


@pytest.fixture
def blobs_csv(tmp_path):
    X, _ = make_blobs(300, n_features=3, centers=3, cluster_std=0.5, random_state=0)
    path = tmp_path / "blobs.csv"
    pd.DataFrame(X, columns=["a", "b", "c"]).to_csv(path, index=False)
    return path


@pytest.fixture
def imbalanced_csv(tmp_path):
    X, y = make_classification(400, n_features=4, weights=[0.85], random_state=0)
    frame = pd.DataFrame(X, columns=["f0", "f1", "f2", "f3"])
    frame["label"] = np.where(y == 1, "rare", "common")
    path = tmp_path / "imbalanced.csv"
    frame.to_csv(path, index=False)
    return path


def test_cluster_writes_one_label_per_row(blobs_csv, tmp_path, capsys):
    out = tmp_path / "labels.csv"
    assert (
        main(
            [
                "cluster",
                "--method",
                "sdpkmeans",
                "--n-clusters",
                "3",
                str(blobs_csv),
                "-o",
                str(out),
            ]
        )
        == 0
    )
    labels = pd.read_csv(out)
    assert list(labels.columns) == ["cluster"] and len(labels) == 300
    assert sorted(np.bincount(labels["cluster"])) == [100, 100, 100]
    assert "3 clusters" in capsys.readouterr().err


def test_cluster_ppp_needs_no_n_clusters_and_columns_select(blobs_csv, tmp_path):
    out = tmp_path / "labels.csv"
    assert (
        main(
            [
                "cluster",
                "--method",
                "PPP",
                "--columns",
                "a,b",
                str(blobs_csv),
                "-o",
                str(out),
                "-v",
                "0",
            ]
        )
        == 0
    )
    assert pd.read_csv(out)["cluster"].nunique() == 3


def test_resample_balances_the_target_and_keeps_its_values(imbalanced_csv, tmp_path, capsys):
    out = tmp_path / "balanced.csv"
    assert (
        main(
            [
                "resample",
                "--method",
                "smote",
                "--target",
                "label",
                str(imbalanced_csv),
                "-o",
                str(out),
            ]
        )
        == 0
    )
    balanced = pd.read_csv(out)
    assert list(balanced.columns) == ["f0", "f1", "f2", "f3", "label"]
    original = pd.read_csv(imbalanced_csv)
    n_common = int((original["label"] == "common").sum())
    assert balanced["label"].value_counts().to_dict() == {"common": n_common, "rare": n_common}
    pd.testing.assert_frame_equal(balanced.iloc[:400], original)  # originals first, unchanged
    assert "->" in capsys.readouterr().err


def test_ambiguity_prints_the_score(tmp_path, capsys):
    rng = np.random.default_rng(0)
    pts = np.vstack([rng.normal(0, 1, (200, 2)), rng.normal([2.5, 0], 1, (200, 2))])
    path = tmp_path / "points.csv"
    pd.DataFrame(pts, columns=["x", "y"]).to_csv(path, index=False)
    assert main(["ambiguity", str(path)]) == 0
    score = float(capsys.readouterr().out.strip())
    assert 0.0 <= score <= 1.0
    from skcluster.metrics import cluster_ambiguity_score

    assert score == pytest.approx(cluster_ambiguity_score(pts, random_state=0), abs=1e-4)


@pytest.mark.parametrize(
    "argv, message",
    [
        (["cluster", "--method", "ppp", "{dir}/missing.csv"], "no such file"),
        (["cluster", "--method", "kmedoids", "{blobs}"], "unknown cluster method 'kmedoids'"),
        (["cluster", "--method", "sdpkmeans", "{blobs}"], "needs --n-clusters"),
        (["cluster", "--method", "ppp", "--columns", "a,zz", "{blobs}"], "no column(s) 'zz'"),
        (["cluster", "--method", "sdpkmeans", "--n-clusters", "999", "{blobs}"], "n_clusters"),
        (["resample", "--method", "smote", "--target", "y", "{imb}"], "no target column 'y'"),
        (["resample", "--method", "smite", "--target", "label", "{imb}"], "unknown sampler"),
        (["cluster", "--method", "ppp", "{text}"], "non-numeric column(s) 'name'"),
        (["ambiguity", "{blobs}"], "a scatterplot has 2 columns, got 3"),
    ],
)
def test_bad_input_is_one_line_and_exit_code_2(
    argv, message, blobs_csv, imbalanced_csv, tmp_path, capsys
):
    text = tmp_path / "text.csv"
    pd.DataFrame({"name": ["a", "b", "c"], "v": [1.0, 2.0, 3.0]}).to_csv(text, index=False)
    names = dict(dir=tmp_path, blobs=blobs_csv, imb=imbalanced_csv, text=text)
    assert main([a.format(**names) for a in argv]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("skcluster: error: ")
    assert message in err


def test_help_and_python_dash_m(tmp_path):
    out = subprocess.run(
        [sys.executable, "-m", "skcluster", "resample", "--help"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "--target" in out.stdout
    bad = subprocess.run(
        [
            sys.executable,
            "-m",
            "skcluster",
            "cluster",
            "--method",
            "ppp",
            str(tmp_path / "none.csv"),
        ],
        capture_output=True,
        text=True,
    )
    assert bad.returncode == 2 and bad.stderr.startswith("skcluster: error: no such file")


def test_progress_timer_runs_during_a_long_fit(blobs_csv, tmp_path, capsys):
    out = tmp_path / "labels.csv"
    argv = ["cluster", "--method", "deepsubspace", "--n-clusters", "3", str(blobs_csv)]
    assert main(argv + ["-o", str(out), "-v", "0", "--progress", "always"]) == 0
    err = capsys.readouterr().err
    assert "\r" in err and "fitting DeepSubspaceClustering:" in err
    assert "fitting DeepSubspaceClustering: done in" in err
    assert main(argv + ["-o", str(out), "-v", "0", "--progress", "never"]) == 0
    assert "\r" not in capsys.readouterr().err
