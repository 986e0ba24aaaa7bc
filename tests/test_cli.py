import io
from pathlib import Path

import joblib
import pandas as pd
import pytest
from sklearn.datasets import load_digits

import augment
import augment.demo
from augment import VAEGenerator
from augment.cli import build_parser, main


@pytest.fixture
def table(tmp_path, mixed):
    path = tmp_path / "mixed.csv"
    mixed.to_csv(path, index=False)
    return path


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_fit_sample_report_round_trip(tmp_path, table, capsys):
    model, out_csv, figure = tmp_path / "m.safetensors", tmp_path / "out.csv", tmp_path / "r.png"
    code, out, err = run(capsys, "fit", table, "--model", "vae", "--target", "sex", "--epochs", 3, "-o", model)
    assert code == 0 and "saved VAEGenerator fit on 442 rows" in out
    assert "bp_level: categorical" in err and "age: integer (int64)" in err
    code, out, _ = run(capsys, "sample", model, "--class", "male=7", "female=3", "-o", out_csv)
    assert code == 0
    drawn = pd.read_csv(out_csv)
    assert drawn["sex"].tolist() == ["male"] * 7 + ["female"] * 3
    code, out, _ = run(capsys, "report", table, table, "--plot", figure)
    assert code == 0 and "detection AUC, logistic" in out and figure.stat().st_size > 10_000


def test_fit_shows_progress_unless_quiet(tmp_path, table, capsys):
    model = tmp_path / "m.safetensors"
    code, _, err = run(capsys, "fit", table, "--epochs", 2, "-o", model)
    assert code == 0 and "VAEGenerator fit:" in err
    code, _, err = run(capsys, "fit", table, "--epochs", 2, "-o", model, "--force", "--quiet")
    assert code == 0 and "VAEGenerator fit:" not in err and err.startswith("columns: ")


def test_fit_options_come_from_the_estimators():
    fit = build_parser()._subparsers._group_actions[0].choices["fit"]
    options = {action.dest: action for action in fit._actions}
    assert {"latent_dim", "critic_steps", "codebook_size", "epochs", "batch_size", "prior"} <= set(options)
    assert options["latent_dim"].help.startswith("Size of the latent space")
    assert "(default 128)" in options["latent_dim"].help


def test_fit_options_show_each_models_default_and_take_an_image_shape(tmp_path, capsys):
    fit = build_parser()._subparsers._group_actions[0].choices["fit"]
    options = {action.dest: action for action in fit._actions}
    assert "(default gan 0.2, vae 0.2, vqvae 0.0)" in options["smoothing"].help
    assert "(default gan quantile, vae quantile, vqvae whitened)" in options["continuous_transform"].help
    # one text where the models say the same, each model's where they differ (it was the GAN's for all)
    assert options["continuous_transform"].help.startswith(
        "How continuous columns are normalized; see TabularEncoder ("
    )
    assert options["batch_size"].help.startswith(
        "gan: Rows per step; shrinks to the table (rounded to a multiple of pac); "
        "vae, vqvae: Rows per step; shrinks to the table when it is smaller (default auto)"
    )
    assert options["learning_rate"].help.startswith("gan: Adam step size of generator and critic; vae: Adam step size;")
    X, y = load_digits(return_X_y=True)
    table = tmp_path / "digits.csv"
    pd.DataFrame(X[:200]).assign(label=y[:200]).to_csv(table, index=False)
    model, out_csv = tmp_path / "m.safetensors", tmp_path / "out.csv"
    args = ("fit", table, "--target", "label", "--image-shape", "1,8,8", "--epochs", 1, "-o", model)
    code, out, _ = run(capsys, *args)
    assert code == 0 and "saved VAEGenerator fit on 200 rows" in out
    code, _, _ = run(capsys, "sample", model, "-n", 30, "-o", out_csv)
    drawn = pd.read_csv(out_csv).drop(columns="label")
    assert code == 0 and drawn.shape == (30, 64) and drawn.to_numpy().min() >= 0 and drawn.to_numpy().max() <= 16


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["fit", "missing.csv"], "no such file: missing.csv"),
        (["fit", "{table}", "--target", "colour"], "column 'colour' is not in"),
        (["fit", "{table}", "--model", "gan", "--latent-dim", "4", "--epochs", "1"], "has no option --latent-dim"),
        (["sample", "{table}"], "is not an augment model file"),
        (["fit", "{table}", "--epochs", "0"], "'epochs'"),
    ],
)
def test_bad_input_gives_one_line_and_exit_1(tmp_path, table, capsys, argv, message):
    argv = [a.format(table=table) for a in argv] + ["-o", str(tmp_path / "x.safetensors")]
    code, _, err = run(capsys, *argv)
    assert code == 1 and message in err
    assert len(err.strip().splitlines()) <= 2 and "Traceback" not in err


def test_nothing_is_overwritten_without_force(tmp_path, table, capsys):
    model = tmp_path / "m.safetensors"
    model.write_text("keep me")
    code, _, err = run(capsys, "fit", table, "--epochs", 1, "-o", model)
    assert code == 1 and "exists; pass --force" in err and model.read_text() == "keep me"
    code, _, _ = run(capsys, "fit", table, "--epochs", 1, "-o", model, "--force")
    assert code == 0 and model.read_bytes() != b"keep me"


def test_max_categories_takes_a_count_or_none(tmp_path, table, capsys):
    model = tmp_path / "m.safetensors"
    code, _, err = run(capsys, "fit", table, "--max-categories", 3, "--epochs", 1, "-o", model)
    assert code == 1 and "bp_level" in err and not model.exists()
    code, out, _ = run(capsys, "fit", table, "--max-categories", "none", "--epochs", 1, "-o", model)
    assert code == 0 and "saved VAEGenerator" in out
    assert augment.load(model).max_categories is None
    with pytest.raises(SystemExit):
        main(["fit", str(table), "--max-categories", "many"])
    assert "invalid int or none value: 'many'" in capsys.readouterr().err


def test_sample_rejects_a_non_numeric_count_and_unknown_class(tmp_path, table, capsys):
    model = tmp_path / "m.safetensors"
    assert run(capsys, "fit", table, "--target", "sex", "--epochs", 1, "-o", model)[0] == 0
    code, _, err = run(capsys, "sample", model, "--class", "male=many", "-o", tmp_path / "s.csv")
    assert code == 1 and "LABEL=COUNT with a whole number" in err
    code, _, err = run(capsys, "sample", model, "--class", "robot=3", "-o", tmp_path / "s.csv")
    assert code == 1 and "unknown class 'robot'" in err
    with pytest.raises(SystemExit):
        main(["sample", str(model), "-n", "ten"])


@pytest.mark.slow
def test_demo_runs_end_to_end_quietly(tmp_path, capsys):
    figure = tmp_path / "demo.png"
    code, out, err = run(capsys, "demo", "--epochs", 2, "--seeds", 2, "--plot", figure, "--quiet")
    assert code == 0 and "demo:" not in err
    for line in [
        "RAND health",
        "fidelity of the first seed",
        "random over-sampling",
        "SMOTE-NC",
        "augment VAE",
        "auto-cv chose:",
        "On this data I would",
        "On 50 other tables",
        "Left out here: GAN and VQ-VAE; augment demo --generators GAN VAE VQ-VAE compares all three",
        "report figure for the VAE written to",
    ]:
        assert line in out
    assert "augment GAN" not in out and "augment VQ-VAE" not in out
    assert figure.stat().st_size > 10_000


def test_demo_compares_the_generators_it_is_given(tmp_path, capsys, monkeypatch):
    seen = {}
    monkeypatch.setattr(augment.demo, "run_demo", lambda plot, **kwargs: seen.update(kwargs))
    assert run(capsys, "demo", "--generators", "VQ-VAE", "GAN", "--plot", tmp_path / "d.png")[0] == 0
    assert seen["generators"] == ["VQ-VAE", "GAN"]
    with pytest.raises(SystemExit):
        main(["demo", "--generators", "CTGAN"])
    assert "invalid choice: 'CTGAN'" in capsys.readouterr().err


def test_divergence_is_one_line_and_writes_nothing(tmp_path, table, capsys, monkeypatch):
    def diverge(self, X, y=None):
        raise FloatingPointError("VAEGenerator diverged at epoch 3 of fit: loss 'loss' is nan. Lower learning_rate")

    monkeypatch.setattr(VAEGenerator, "fit", diverge)
    code, _, err = run(capsys, "fit", table, "-o", tmp_path / "m.safetensors")
    assert code == 1 and err.splitlines()[-1].startswith("augment fit: VAEGenerator diverged at epoch 3")
    assert "Traceback" not in err and not (tmp_path / "m.safetensors").exists()


def test_fit_saves_the_safe_format_and_sample_reads_pickles_only_when_trusted(tmp_path, table, capsys):
    model = tmp_path / "m.safetensors"
    assert run(capsys, "fit", table, "--epochs", 1, "-o", model)[0] == 0
    pickled = tmp_path / "m.joblib"
    joblib.dump(augment.load(model), pickled)
    code, _, err = run(capsys, "sample", pickled, "-n", 3, "-o", tmp_path / "s.csv")
    assert code == 1 and "is a pickle (joblib) file, which runs code" in err and "--trust-pickle reads it" in err
    assert not (tmp_path / "s.csv").exists()
    code, _, _ = run(capsys, "sample", pickled, "-n", 3, "--trust-pickle", "-o", tmp_path / "s.csv")
    assert code == 0 and len(pd.read_csv(tmp_path / "s.csv")) == 3


def test_a_dash_reads_the_table_from_standard_input_and_writes_rows_to_standard_output(
    tmp_path, table, capsys, monkeypatch
):
    model = tmp_path / "m.safetensors"
    monkeypatch.setattr("sys.stdin", io.StringIO(Path(table).read_text()))
    code, out, _ = run(capsys, "fit", "-", "--epochs", 1, "-o", model)
    assert code == 0 and "saved VAEGenerator fit on 442 rows" in out
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, "sample", model, "-n", 7, "-o", "-")
    assert code == 0 and not (tmp_path / "-").exists()
    drawn = pd.read_csv(io.StringIO(out))
    assert drawn.shape == (7, len(pd.read_csv(table).columns)) and "wrote 7 rows to standard output" in err
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    code, _, err = run(capsys, "fit", "-", "-o", tmp_path / "n.safetensors")
    assert code != 0 and "standard input is not a readable CSV table" in err


def test_fit_help_is_plain_text_grouped_by_model_with_defaults(capsys):
    with pytest.raises(SystemExit):
        main(["fit", "--help"])
    text = capsys.readouterr().out
    assert "``" not in text and ":class:" not in text and "~augment" not in text
    assert "see TabularEncoder" in " ".join(text.split()) and "(default vae)" in text
    sections = [line for line in text.splitlines() if line.endswith(":") and "options" in line]
    assert sections == [
        "options:",
        "options of every model:",
        "gan options:",
        "vae and vqvae options:",
        "vae options:",
        "vqvae options:",
    ]
    assert text.index("\n  --pac") > text.index("gan options:") > text.index("\n  --epochs")


def test_counts_that_default_to_auto_take_a_number_or_auto(tmp_path, table, capsys):
    model = tmp_path / "m.safetensors"
    code, _, _ = run(capsys, "fit", table, "--model", "gan", "--epochs", 1, "--batch-size", 20, "-o", model)
    assert code == 0 and augment.load(model).batch_size == 20
    args = build_parser().parse_args(["fit", str(table), "--model", "vqvae", "--epochs", "auto", "--batch-size", "64"])
    assert (args.epochs, args.batch_size) == ("auto", 64)
    with pytest.raises(SystemExit):
        main(["fit", str(table), "--batch-size", "many"])
    assert "invalid integer or auto value: 'many'" in capsys.readouterr().err
