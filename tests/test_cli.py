"""The skcluster command line, end to end on CSV files in a temporary folder."""

import io
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import make_blobs, make_classification
from sklearn.metrics import adjusted_rand_score

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
    assert main(argv + ["-o", str(out), "--progress", "always"]) == 0
    err = capsys.readouterr().err
    assert "\r" in err and "fitting DeepSubspaceClustering:" in err
    assert "fitting DeepSubspaceClustering: done in" in err
    assert main(argv + ["-o", str(out), "--progress", "never"]) == 0
    assert "\r" not in capsys.readouterr().err


def _run(*argv, **kwargs):
    return subprocess.run(
        [sys.executable, "-m", "skcluster", *map(str, argv)],
        capture_output=True,
        text=True,
        **kwargs,
    )


def test_stdout_holds_only_the_csv_whatever_the_estimator_prints(blobs_csv):
    # PPP prints its progress at -v 1 (the default): to stderr, not into the CSV
    run = _run("cluster", "--method", "ppp", blobs_csv)
    assert run.returncode == 0
    labels = pd.read_csv(io.StringIO(run.stdout))
    assert list(labels.columns) == ["cluster"] and len(labels) == 300
    assert labels["cluster"].nunique() == 3
    assert "[PPP]" in run.stderr and "[PPP]" not in run.stdout


def test_verbose_0_prints_nothing_but_the_result(blobs_csv, imbalanced_csv, capsys):
    assert main(["cluster", "--method", "ppp", str(blobs_csv), "-v", "0"]) == 0
    captured = capsys.readouterr()
    assert captured.err == "" and len(pd.read_csv(io.StringIO(captured.out))) == 300
    argv = ["resample", "--method", "smote", "--target", "label", str(imbalanced_csv)]
    assert main(argv + ["-v", "0"]) == 0
    assert capsys.readouterr().err == ""
    # the summary a user reads at -v 1: plain numbers, not numpy reprs
    assert main(argv) == 0
    err = capsys.readouterr().err
    assert "class counts common: 337, rare: 63 -> common: 337, rare: 337" in err
    assert "np." not in err


def test_version():
    from skcluster import __version__

    run = _run("--version")
    assert run.returncode == 0 and run.stdout.strip() == f"skcluster {__version__}"


def test_a_closed_pipe_ends_quietly(tmp_path):
    # more rows than a pipe buffers, so that writing goes on after the reader has left
    X, y = make_classification(3000, n_features=10, weights=[0.9], random_state=0)
    frame = pd.DataFrame(X, columns=[f"f{i}" for i in range(10)])
    frame["label"] = y
    path = tmp_path / "big.csv"
    frame.to_csv(path, index=False)
    command = (
        f"{sys.executable} -m skcluster resample --method smote --target label {path} "
        "-v 0 | head -1"
    )
    run = subprocess.run(command, shell=True, capture_output=True, text=True)
    assert run.stdout.startswith("f0,f1,")
    assert "Traceback" not in run.stderr and "BrokenPipe" not in run.stderr


def test_label_columns_are_left_out_of_the_features_by_default(tmp_path, capsys):
    X, y = make_blobs(300, n_features=2, centers=3, cluster_std=0.5, random_state=1)
    frame = pd.DataFrame(X, columns=["a", "b"])
    frame["target"] = y * 1000.0  # as a feature, it alone would decide the clusters
    path = tmp_path / "labelled.csv"
    frame.to_csv(path, index=False)
    out = tmp_path / "labels.csv"
    argv = ["cluster", "--method", "sdpkmeans", "--n-clusters", "3", str(path), "-o", str(out)]
    assert main(argv) == 0
    assert "leaving out column(s) 'target'" in capsys.readouterr().err
    assert adjusted_rand_score(y, pd.read_csv(out)["cluster"]) == 1.0
    # named explicitly, it is a feature; --exclude leaves any column out
    assert main(argv + ["--columns", "a,target", "-v", "0"]) == 0
    assert main(argv + ["--exclude", "b", "-v", "0"]) == 0
    assert main(argv + ["--exclude", "nope", "-v", "0"]) == 2


def test_standardize_gives_each_column_unit_variance(tmp_path, capsys):
    rng = np.random.default_rng(0)
    y = np.repeat([0, 1], 150)
    frame = pd.DataFrame(
        {"a": 3.0 * (2 * y - 1) + rng.normal(0, 0.5, 300), "b": rng.normal(0, 1000, 300)}
    )
    path = tmp_path / "units.csv"
    frame.to_csv(path, index=False)
    out = tmp_path / "labels.csv"
    argv = ["cluster", "--method", "sdpkmeans", "--n-clusters", "2", str(path), "-o", str(out)]
    assert main(argv) == 0
    assert "--standardize gives each column unit variance" in capsys.readouterr().err
    assert adjusted_rand_score(y, pd.read_csv(out)["cluster"]) < 0.2  # b's noise decides
    assert main(argv + ["--standardize"]) == 0
    assert adjusted_rand_score(y, pd.read_csv(out)["cluster"]) == 1.0
    pd.testing.assert_frame_equal(pd.read_csv(path), frame)  # the file is read, not changed


def test_resample_smotenc_takes_text_columns_as_categorical(tmp_path, capsys):
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        {
            "x": rng.normal(size=200),
            "colour": rng.choice(["red", "blue", "green"], 200),
            "size": rng.integers(0, 3, 200),
            "y": np.repeat([0, 1], [170, 30]),
        }
    )
    path = tmp_path / "mixed.csv"
    frame.to_csv(path, index=False)
    out = tmp_path / "balanced.csv"
    argv = ["resample", "--target", "y", str(path), "-o", str(out), "-v", "0"]
    # the text column is categorical by default ...
    assert main(argv + ["--method", "smotenc"]) == 0
    balanced = pd.read_csv(out)
    assert balanced["y"].value_counts().to_dict() == {0: 170, 1: 170}
    assert set(balanced["colour"]) <= {"red", "blue", "green"}
    pd.testing.assert_frame_equal(balanced.iloc[:200], frame, check_dtype=False)
    # ... --categorical names more (an integer code) ...
    assert main(argv + ["--method", "smotenc", "--categorical", "colour,size"]) == 0
    assert set(pd.read_csv(out)["size"]) <= {0, 1, 2}
    # ... and SMOTE-N takes every column as categorical
    assert main(argv + ["--method", "smoten", "--columns", "colour,size"]) == 0
    assert set(pd.read_csv(out)["size"]) <= {0, 1, 2}


@pytest.mark.parametrize(
    "argv, message",
    [
        (["cluster", "--method", "ppp", "{empty}"], "no rows below the header"),
        (["cluster", "--method", "ppp", "--n-clusters", "3", "{blobs}"], "leave out --n-clusters"),
        (["resample", "--method", "smote", "--target", "y", "{mixed}"], "--method smotenc"),
        (["resample", "--method", "smotenc", "--target", "y", "{numbers}"], "--categorical"),
        (
            ["resample", "--method", "smotenc", "--target", "y", "--categorical", "q", "{mixed}"],
            "--categorical names no feature column 'q'",
        ),
        (
            ["resample", "--method", "smotenc", "--target", "y", "--categorical", "s", "{mixed}"],
            "non-numeric column(s) 'c' missing from --categorical",
        ),
        (
            ["resample", "--method", "smote", "--target", "y", "--categorical", "c", "{mixed}"],
            "--categorical is for smotenc",
        ),
    ],
)
def test_more_bad_input_is_one_line_and_exit_code_2(argv, message, tmp_path, blobs_csv, capsys):
    empty = tmp_path / "empty.csv"
    empty.write_text("a,b,c\n")
    mixed = tmp_path / "mixed.csv"
    pd.DataFrame(
        {"x": np.arange(20.0), "c": ["u", "v"] * 10, "s": [0, 1] * 10, "y": [0] * 15 + [1] * 5}
    ).to_csv(mixed, index=False)
    numbers = tmp_path / "numbers.csv"
    pd.DataFrame({"x": np.arange(20.0), "y": [0] * 15 + [1] * 5}).to_csv(numbers, index=False)
    names = dict(empty=empty, blobs=blobs_csv, mixed=mixed, numbers=numbers)
    assert main([a.format(**names) for a in argv]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("skcluster: error: ")
    assert message in err
