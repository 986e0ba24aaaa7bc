import copy
import random
import re
import warnings

import joblib
import numpy as np
import pandas as pd
import pytest
import torch
from scipy.stats import ks_2samp
from sklearn.base import clone
from sklearn.covariance import ledoit_wolf
from sklearn.datasets import load_iris, load_wine

from augment import GANGenerator, VAEGenerator, VQVAEGenerator
from augment._devices import chunk_rows
from augment.sampling import Kernel, kernels

from _device import DEVICE
from _shares import share_distance

SMALL = {
    GANGenerator: {"generator_dims": (64,), "critic_dims": (64,), "noise_dim": 32},
    VAEGenerator: {"latent_dim": 16, "hidden_dims": (64,)},
    VQVAEGenerator: {"n_slots": 4, "codebook_size": 16, "code_dim": 8, "hidden_dims": (64,), "prior_epochs": 5},
}
GENERATORS = list(SMALL)


def make(cls, **params):
    return cls(**{"epochs": 5, "batch_size": 128, "random_state": 0, "device": DEVICE, **SMALL[cls], **params})


@pytest.fixture(scope="module", params=GENERATORS, ids=lambda c: c.__name__)
def fitted_mixed(request, mixed):
    X, y = mixed.drop(columns="sex"), mixed["sex"]
    return make(request.param).fit(X, y), X, y


def test_sample_keeps_columns_dtypes_and_categories(fitted_mixed):
    gen, X, _ = fitted_mixed
    X_new, y_new = gen.sample(300)
    assert list(X_new.columns) == list(X.columns)
    assert X_new.dtypes.tolist() == X.dtypes.tolist()
    assert set(X_new["bp_level"].dropna()) <= set(X["bp_level"].dropna())
    assert isinstance(y_new, pd.Series) and y_new.name == "sex"
    assert set(y_new) <= {"female", "male"} and len(y_new) == 300
    for column in ["age", "tc", "progression"]:
        assert X_new[column].between(X[column].min(), X[column].max()).all()


def test_sample_by_class_counts_and_by_labels(fitted_mixed):
    gen, _, _ = fitted_mixed
    X_new, y_new = gen.sample(y={"male": 7, "female": 3})
    assert y_new.tolist() == ["male"] * 7 + ["female"] * 3 and len(X_new) == 10
    X_new, y_new = gen.sample(y=np.array(["female", "male", "female"]))
    assert y_new.tolist() == ["female", "male", "female"]


def test_sample_spanning_several_chunks_draws_fresh_rows(fitted_mixed):
    gen, _, _ = fitted_mixed
    step = chunk_rows(torch.device(DEVICE))
    X_new, y_new = gen.sample(y={"male": 2 * step + 10, "female": 5})
    assert y_new.tolist() == ["male"] * (2 * step + 10) + ["female"] * 5
    first, second = X_new["tc"].to_numpy()[:step], X_new["tc"].to_numpy()[step : 2 * step]
    assert not np.isnan(X_new["age"]).any() and not np.array_equal(first, second)
    assert abs(first.mean() - second.mean()) < 0.5 * first.std()


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"y": {"other": 3}}, ValueError, "'other'"),
        ({"y": ["male", "robot"]}, ValueError, "'robot'"),
        ({"n_samples": 0}, ValueError, "n_samples must be >= 1"),
        ({"n_samples": -4}, ValueError, "n_samples must be >= 1"),
        ({"n_samples": 2.5}, TypeError, "n_samples must be an integer"),
        ({"y": {"male": -1}}, ValueError, r"y\['male'\] must be >= 0"),
        ({"n_samples": 5, "y": {"male": 3}}, ValueError, "n_samples=5 but y asks for 3"),
    ],
)
def test_bad_sample_requests_are_named(fitted_mixed, kwargs, error, match):
    gen, _, _ = fitted_mixed
    with pytest.raises(error, match=match):
        gen.sample(**kwargs)


def test_transform_is_rowwise_and_refuses_wrong_columns(fitted_mixed):
    gen, X, _ = fitted_mixed
    Z = gen.transform(X)
    assert Z.shape == (len(X), gen._n_features_out) and Z.dtype == np.float64
    np.testing.assert_allclose(gen.transform(X.iloc[:5]), Z[:5], rtol=1e-6, atol=1e-8)
    with pytest.raises(ValueError, match="feature names"):
        gen.transform(X.rename(columns={"age": "years"}))
    with pytest.raises(ValueError, match="missing:\n- age"):
        gen.transform(X.drop(columns="age"))


@pytest.mark.cpu_only(reason="bit for bit on the CPU only: CUDA sums gradients with atomics in any order")
@pytest.mark.parametrize("cls", GENERATORS)
def test_same_seed_same_samples(cls):
    X, y = load_iris(return_X_y=True)
    a = make(cls).fit(X, y).sample(50)
    b = make(cls).fit(X, y).sample(50)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    c = make(cls, random_state=1).fit(X, y).sample(50)
    assert not np.array_equal(a[0], c[0])


@pytest.mark.parametrize("cls", GENERATORS)
def test_global_random_state_is_untouched(cls, tmp_path):
    X, y = load_iris(return_X_y=True)
    np_state = np.random.get_state()  # noqa: NPY002 (the legacy global state is what must stay untouched)
    torch_state, py_state = torch.get_rng_state(), random.getstate()
    cuda_state = torch.cuda.get_rng_state() if DEVICE == "cuda" else None
    gen = make(cls).fit(X, y)
    gen.sample(5)
    joblib.dump(gen, tmp_path / "gen.joblib")
    joblib.load(tmp_path / "gen.joblib").sample(5)
    assert np.array_equal(np.random.get_state()[1], np_state[1])  # noqa: NPY002
    assert torch.equal(torch.get_rng_state(), torch_state) and random.getstate() == py_state
    assert cuda_state is None or torch.equal(torch.cuda.get_rng_state(), cuda_state)


@pytest.mark.parametrize("cls", GENERATORS)
def test_numpy_in_numpy_out_and_unconditional(cls):
    X = load_iris().data.astype(np.float32)
    gen = make(cls).fit(X)
    out = gen.sample(20)
    assert isinstance(out, np.ndarray) and out.dtype == np.float32 and out.shape == (20, 4)
    np.testing.assert_array_equal(out, out.round(1))
    with pytest.raises(ValueError, match="fit without y"):
        gen.sample(5, y=[0])


@pytest.mark.parametrize("cls", GENERATORS)
def test_table_smaller_than_batch_trains(cls):
    X = load_iris().data[:13]
    gen = make(cls, batch_size=500).fit(X)
    assert len(gen.history_) >= 5 and gen.sample(3).shape == (3, 4)


@pytest.mark.parametrize("cls", GENERATORS)
def test_joblib_round_trip_continues_the_same_stream(cls, tmp_path):
    X, y = load_iris(return_X_y=True)
    gen = make(cls).fit(X, y)
    gen.sample(10)
    joblib.dump(gen, tmp_path / "gen.joblib")
    loaded = joblib.load(tmp_path / "gen.joblib")
    a, b = gen.sample(40), loaded.sample(40)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    np.testing.assert_array_equal(gen.transform(X), loaded.transform(X))


def test_generator_fit_on_cuda_loads_on_a_machine_without_it(monkeypatch):
    X, y = load_iris(return_X_y=True)
    gen = make(VAEGenerator).fit(X, y)
    state = gen.__getstate__()
    assert all(t.device.type == "cpu" for t in state["_model_state"].values())
    state["_device"] = "cuda:0"
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    restored = VAEGenerator.__new__(VAEGenerator)
    with pytest.warns(UserWarning, match="CUDA is not available; it is loaded on the CPU"):
        restored.__setstate__(state)
    assert restored._device.type == "cpu"
    assert restored.sample(5)[0].shape == (5, 4)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_cuda_fit_and_cpu_state():
    X, y = load_iris(return_X_y=True)
    gen = make(GANGenerator, device="cuda").fit(X, y)
    assert next(gen.model_.parameters()).is_cuda
    state = gen.__getstate__()
    assert all(t.device.type == "cpu" for t in state["_model_state"].values())
    assert gen.sample(10)[0].shape == (10, 4)


def test_device_cuda_without_cuda_is_refused(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(ValueError, match="CUDA is not available"):
        make(VAEGenerator, device="cuda").fit(load_iris().data)


@pytest.mark.parametrize(
    ("X", "y", "params", "error", "match"),
    [
        (pd.DataFrame({"a": []}), None, {}, ValueError, "0 rows"),
        (pd.DataFrame({"a": [1.0]}), None, {}, ValueError, "X has 1 rows; .* needs at least 2"),
        (pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": [np.nan] * 3}), None, {}, ValueError, "'b' has only missing"),
        (np.array([[1.0, 2.0], [np.inf, 1.0], [0.0, 0.0]]), None, {}, ValueError, "column 0 contains infinity"),
        (np.ones((4, 2)), [0, 1, 0], {}, ValueError, "y has 3 rows but X has 4"),
        (np.ones((4, 2)), [0.1, 0.7, 0.2, 0.4], {}, ValueError, "y is continuous"),
        (np.ones((4, 2)), [0, 1, None, 1], {}, ValueError, "y contains missing"),
        (pd.DataFrame({"a": [1.0, 2.0]}), None, {"discrete_columns": ["b"]}, ValueError, r"\['b'\]"),
        (np.ones((4, 2)), None, {"epochs": 0}, ValueError, "'epochs'"),
        (np.ones((4, 2)), None, {"batch_size": -3}, ValueError, "'batch_size'"),
        (np.ones((4, 2)), None, {"learning_rate": 0.0}, ValueError, "'learning_rate'"),
        (pd.DataFrame({"a": [1.0, 2.0], "z": [1 + 2j, 3j]}), None, {}, TypeError, "column 'z' is complex"),
        (pd.DataFrame({"a": [1.0, 2.0], "d": ["x", {"k": 1}]}), None, {}, TypeError, "'d' holds a dict at row 1"),
        (pd.DataFrame({"a": [1.0, 2.0], "l": [[1], [2]]}), None, {}, TypeError, "'l' holds a list at row 0"),
        (pd.DataFrame({"s": pd.arrays.SparseArray([0.0, 1.0, 0.0])}), None, {}, TypeError, "'s' is sparse"),
    ],
)
@pytest.mark.parametrize("cls", GENERATORS)
def test_bad_input_is_named(cls, X, y, params, error, match):
    with pytest.raises(error, match=match):
        make(cls, **params).fit(X, y)


@pytest.mark.parametrize(
    ("cls", "name"),
    [
        (GANGenerator, "generator_dims"),
        (GANGenerator, "critic_dims"),
        (VAEGenerator, "hidden_dims"),
        (VQVAEGenerator, "hidden_dims"),
    ],
)
@pytest.mark.parametrize("widths", [(), (0,), (32, -1), (2.5,)])
def test_layer_widths_must_be_positive_integers(cls, name, widths):
    with pytest.raises(ValueError, match=f"{name} must be one or more positive integer layer widths"):
        make(cls, **{name: widths}).fit(load_iris().data)


def test_clone_round_trips_parameters():
    gen = VQVAEGenerator(n_slots=3, codebook_size=11, discrete_columns=["a"], random_state=4, device=DEVICE)
    assert clone(gen).get_params() == gen.get_params()
    assert gen.set_params(epochs=7).epochs == 7


def test_autoencoders_decode_their_latents(mixed):
    for cls in (VAEGenerator, VQVAEGenerator):
        gen = make(cls, epochs=30).fit(mixed)
        decoded = gen.inverse_transform(gen.transform(mixed))
        assert decoded.dtypes.tolist() == mixed.dtypes.tolist()
        fidelity = np.corrcoef(decoded["tc"], mixed["tc"])[0, 1]
        assert fidelity > 0.8, f"{cls.__name__} reconstructs tc with correlation {fidelity:.2f}"
        with pytest.raises(ValueError, match="shape"):
            gen.inverse_transform(np.zeros((2, 3)))


def test_vae_scores_real_rows_above_shuffled_rows(cancer_halves):
    train, test = cancer_halves
    gen = make(VAEGenerator, epochs=100).fit(train)
    rng = np.random.default_rng(0)
    shuffled = test.apply(lambda col: rng.permutation(col.to_numpy()))
    assert np.median(gen.score_samples(test)) > np.median(gen.score_samples(shuffled)) + 5


def test_vae_score_without_labels_marginalizes_the_class():
    X, y = load_iris(return_X_y=True)
    gen = make(VAEGenerator).fit(X, y)
    per_class = np.column_stack([gen.score_samples(X, np.full(len(X), c)) for c in range(3)])
    log_prior = np.log(np.bincount(y) / len(y))
    expected = np.logaddexp.reduce(per_class + log_prior, axis=1)
    np.testing.assert_allclose(gen.score_samples(X), expected, rtol=1e-9)


def test_vqvae_reports_codebook_usage():
    gen = make(VQVAEGenerator, epochs=20).fit(load_iris().data)
    usage = gen.codebook_usage_
    assert usage.shape == (4,) and ((usage > 0) & (usage <= 1)).all()
    assert [h["phase"] for h in gen.history_].count("prior") == 5


VQ_PRIOR = {"epochs": 30, "prior_epochs": 300}


@pytest.fixture(scope="module")
def vq_prior():
    """60 rows without ties (encode gives the training rows' exact codes) and a VQ-VAE whose prior learnt them."""
    X = np.random.default_rng(0).normal(size=(60, 6))
    return X, VQVAEGenerator(**VQ_PRIOR, random_state=0, device=DEVICE).fit(X)


@pytest.mark.slow
def test_vqvae_measures_how_often_its_prior_redraws_a_training_sequence(vq_prior):
    X, fitted = vq_prior
    barely = VQVAEGenerator(epochs=30, prior_epochs=2, random_state=0, device=DEVICE).fit(X)
    assert fitted.prior_copies_ > 0.5 and barely.prior_copies_ < 0.1
    with torch.no_grad():
        codes = fitted.model_.codes(torch.as_tensor(fitted.encoder_.transform(pd.DataFrame(X))[0], device=DEVICE))
        classes = torch.zeros(500, dtype=torch.long, device=DEVICE)
        drawn = fitted.model_.prior.sample(classes, torch.Generator(DEVICE).manual_seed(1))
    training = set(map(tuple, codes.tolist()))
    copies = np.mean([row in training for row in map(tuple, drawn.tolist())])
    assert abs(copies - fitted.prior_copies_) < 0.1


@pytest.mark.slow
def test_vqvae_prior_temperature_spreads_the_drawn_sequences(vq_prior):
    X, cold = vq_prior
    hot = VQVAEGenerator(prior_temperature=3.0, **VQ_PRIOR, random_state=0, device=DEVICE).fit(X)
    assert cold.prior_temperature == 1.0
    assert hot.prior_copies_ < cold.prior_copies_ - 0.3
    np.testing.assert_array_equal(cold.codebook_usage_, hot.codebook_usage_)  # the same fit, drawn differently
    assert not np.array_equal(cold.sample(50), hot.sample(50))
    with pytest.raises(ValueError, match="'prior_temperature'"):
        VQVAEGenerator(prior_temperature=0.0).fit(X)


def test_verbose_shows_progress(capsys):
    make(VAEGenerator, verbose=True).fit(load_iris().data)
    assert "VAEGenerator fit" in capsys.readouterr().err


def test_no_warnings_on_a_plain_fit(mixed):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        make(GANGenerator).fit(mixed).sample(10)


@pytest.mark.parametrize("classes", [[0, 2, 1, 2, 0, 1], [1, 1, 1, 1, 1, 1]])
def test_vae_prior_folded_into_the_decoder_equals_decoding_prior_draws(classes):
    X, y = load_iris(return_X_y=True)
    model = VAEGenerator(epochs=2, random_state=0, device=DEVICE).fit(X, y).model_
    device = model.prior_mean.device
    classes = torch.as_tensor(classes, device=device)
    rng = torch.Generator(device).manual_seed(0)
    noise = torch.randn(len(classes), model.latent_dim, generator=rng, device=device)
    z = model.prior_mean[classes] + (model.prior_scale[classes] @ noise.unsqueeze(2)).squeeze(2)
    labels = torch.nn.functional.one_hot(classes, 3).float()
    with torch.no_grad():
        expected = model.decoder[0](torch.cat([z, labels], dim=1))
        torch.testing.assert_close(model._first_layer_on_prior(noise, classes), expected)


def test_vae_prior_is_each_class_posterior_mean_gaussian():
    X, y = load_iris(return_X_y=True)
    y = y.copy()
    y[7] = 3
    gen = VAEGenerator(epochs=2, random_state=0, device=DEVICE).fit(X, y)
    # The rows as the model saw them: iris's ties spread within their quantile ranges.
    spread, _ = copy.deepcopy(gen.encoder_).fit_encode(pd.DataFrame(X))
    Z = gen.model_.transform(torch.as_tensor(spread, device=gen.model_.prior_mean.device)).detach().cpu().numpy()
    scale, mean = gen.model_.prior_scale.double().cpu().numpy(), gen.model_.prior_mean.cpu().numpy()
    covariances = scale @ scale.transpose(0, 2, 1) - 1e-6 * np.eye(gen.latent_dim)
    for c, expected in [(0, Z[y == 0]), (1, Z[y == 1]), (2, Z[y == 2]), (3, Z)]:
        if c < 3:
            np.testing.assert_allclose(mean[c], expected.mean(axis=0), atol=1e-5)
        np.testing.assert_allclose(covariances[c], ledoit_wolf(expected)[0], atol=1e-5)
    np.testing.assert_allclose(mean[3], Z[7], atol=1e-5)


def test_a_sample_larger_than_free_memory_is_refused_before_drawing(fitted_mixed, monkeypatch):
    gen, _, _ = fitted_mixed
    with pytest.raises(MemoryError, match=r"sample\(1,000,000,000,000\) needs about .* GiB, more than the"):
        gen.sample(10**12)
    monkeypatch.setattr("augment._labels.available_memory", lambda: 2**20)
    with pytest.raises(MemoryError, match=r"about .* MiB, more than the 1.0 MiB of memory free") as refused:
        gen.sample(y={"male": 3000, "female": 3000})
    most = int(re.search(r"draw at most ([\d,]+) rows", str(refused.value)).group(1).replace(",", ""))
    assert 100 < most < 6000 and len(gen.sample(most)[0]) == most
    with pytest.raises(MemoryError):
        gen.sample(most + 1)


@pytest.mark.slow
def test_gan_unlabelled_rows_keep_the_training_category_shares(mixed):
    # Unlabelled rows are conditioned on one category of one categorical column, drawn at its
    # training frequency, and hold it; the fitted logit offsets of the other (free) blocks bring
    # their shares to the training table's. Zeroed, the offsets leave bmi's missing share at about
    # three times the real one. Sampling the conditioned block instead of holding the condition
    # left bp_level 0.10 away in total variation (30 epochs, seeds 0-2); held, 0.007.
    gen = GANGenerator(epochs=30, random_state=0, device=DEVICE).fit(mixed)
    adjusted = gen.sample(20_000)
    gen.model_.free_offsets.zero_()
    plain = gen.sample(20_000)

    real_share = mixed["bmi"].isna().mean()
    assert abs(adjusted["bmi"].isna().mean() - real_share) < 0.01
    assert plain["bmi"].isna().mean() - real_share > 0.05
    bp_level = share_distance(mixed["bp_level"], adjusted["bp_level"])
    assert bp_level < 0.02
    assert share_distance(mixed["sex"], adjusted["sex"]) < 0.02
    assert bp_level < share_distance(mixed["bp_level"], plain["bp_level"]) / 1.5


def test_vae_block_offsets_keep_the_training_category_shares(mixed):
    # Rows drawn from the VAE's fitted prior miss the training shares (30 epochs, seeds 0-2, 20,000
    # rows: bmi's missing share 0.12-0.16 too high, bp_level 0.04-0.13 away in total variation);
    # the logit offsets fitted after training bring both within 0.01.
    gen = VAEGenerator(epochs=30, random_state=0, device=DEVICE).fit(mixed)
    adjusted = gen.sample(20_000)
    gen.model_.block_offsets.zero_()
    plain = gen.sample(20_000)

    real_share = mixed["bmi"].isna().mean()
    assert abs(adjusted["bmi"].isna().mean() - real_share) < 0.01
    assert plain["bmi"].isna().mean() - real_share > 0.05
    bp_level = share_distance(mixed["bp_level"], adjusted["bp_level"])
    assert bp_level < 0.02
    assert share_distance(mixed["bp_level"], plain["bp_level"]) > 2 * bp_level


@pytest.mark.slow
def test_labelled_gan_free_blocks_keep_the_training_category_shares(mixed):
    # With a label every block is free; the offsets, fitted over classes at their training
    # frequencies, bring bp_level's shares within each class closer to the real ones (30 epochs:
    # total variation 0.120 and 0.106 against 0.182 and 0.297 without them).
    X, y = mixed.drop(columns="sex"), mixed["sex"]
    gen = GANGenerator(epochs=30, random_state=0, device=DEVICE).fit(X, y)
    adjusted = gen.sample(y={"female": 2000, "male": 2000})
    gen.model_.free_offsets.zero_()
    plain = gen.sample(y={"female": 2000, "male": 2000})

    def distance(synthetic, label):
        rows, labels = synthetic
        return share_distance(X.loc[y == label, "bp_level"], rows.loc[labels.to_numpy() == label, "bp_level"])

    for label in ["female", "male"]:
        assert distance(adjusted, label) < 0.8 * distance(plain, label), label


def test_calibrated_margins_give_drawn_columns_the_training_marginals():
    X = load_wine(as_frame=True).data
    # Unsmoothed: smoothing spreads the marginals by its bandwidth (largest KS 0.064 at 0.2, 0.026 without).
    gan = make(GANGenerator, smoothing=0.0).fit(X)
    assert gan.sampling_.margins_.shape == (1, 2, 1001, X.shape[1])
    mapped = gan.sample(5000)
    stage, gan.sampling_ = gan.sampling_, gan.sampling_.without("margins")
    plain = gan.sample(5000)
    gan.sampling_ = stage
    ks_mapped = [ks_2samp(mapped[c], X[c]).statistic for c in X.columns]
    ks_plain = [ks_2samp(plain[c], X[c]).statistic for c in X.columns]
    assert max(ks_mapped) < 0.06 and np.mean(ks_plain) > 2 * np.mean(ks_mapped)
    assert make(GANGenerator, calibrate_margins=False).fit(X).sampling_.margins_ is None
    assert make(VQVAEGenerator).fit(X).sampling_.margins_ is None
    assert make(VAEGenerator, continuous_transform="mode").fit(X).sampling_.margins_ is None


def test_calibrated_margins_of_a_labelled_fit_give_each_class_its_own_marginals():
    X, y = load_wine(return_X_y=True, as_frame=True)
    # Unsmoothed: smoothing spreads the marginals by its bandwidth.
    vae = make(VAEGenerator, smoothing=0.0).fit(X, y)
    assert vae.sampling_.margins_.shape == (3, 2, 1001, X.shape[1])
    counts = {0: 2000, 2: 2000}
    mapped_X, mapped_y = vae.sample(y=counts)
    vae.sampling_ = vae.sampling_.without("margins")
    plain_X, plain_y = vae.sample(y=counts)
    for label in counts:
        real = X[y == label]
        mapped = [ks_2samp(mapped_X[mapped_y == label][c], real[c]).statistic for c in X.columns]
        plain = [ks_2samp(plain_X[plain_y == label][c], real[c]).statistic for c in X.columns]
        assert max(mapped) < 0.1 and np.mean(plain) > 2 * np.mean(mapped), label


@pytest.mark.parametrize("cls", [GANGenerator, VAEGenerator], ids=lambda c: c.__name__)
def test_smoothing_a_labelled_fit_takes_each_class_its_own_kernel(cls):
    X, y = load_wine(return_X_y=True, as_frame=True)
    gen = make(cls).fit(X, y)
    kernel = gen.sampling_.kernel_
    assert kernel.factor.shape == (3, X.shape[1], X.shape[1])
    np.testing.assert_allclose(kernel.mean, X.groupby(y).mean().to_numpy())
    np.testing.assert_allclose(kernel.spread, X.groupby(y).std(ddof=0).to_numpy())
    counts = {0: 3000, 2: 3000}
    own_X, own_y = gen.sample(y=counts)
    whole = make(cls).fit(X).sampling_.kernel_  # the whole table's, as a fit without y smooths
    assert whole.mean.shape == (1, X.shape[1])
    gen.sampling_.kernel_ = Kernel(*(np.repeat(part, 3, axis=0) for part in (whole.mean, whole.spread, whole.factor)))
    table_X, table_y = gen.sample(y=counts)
    for label in counts:
        real = X[y == label]
        own = [ks_2samp(own_X[own_y == label][c], real[c]).statistic for c in X.columns]
        table = [ks_2samp(table_X[table_y == label][c], real[c]).statistic for c in X.columns]
        # Largest column KS at 5 epochs: GAN 0.082 / 0.120, VAE 0.088 / 0.107; mean 0.009-0.014 below the table's.
        assert max(own) < 0.13 and np.mean(own) < np.mean(table) - 0.005, label


def test_a_class_too_small_to_calibrate_against_is_left_as_drawn():
    X, y = load_wine(return_X_y=True, as_frame=True)
    keep = np.r_[np.flatnonzero(y != 1), np.flatnonzero(y == 1)[:9]]
    vae = make(VAEGenerator).fit(X.iloc[keep], y.iloc[keep])
    encoder = vae.encoder_
    stage = vae.sampling_
    drawn, codes = vae._draw_encoded(np.ones(500, dtype=np.int64))
    plain = encoder.inverse_transform(drawn, codes)
    mapped = stage.without("smoothing").decode(encoder, drawn, codes, np.ones(500, dtype=np.int64))
    pd.testing.assert_frame_equal(mapped, plain)
    assert not np.array_equal(stage.margins_[0, 0], stage.margins_[0, 1])
    # Its smoothing takes the whole table's kernel; the others their own.
    whole = kernels(encoder.numeric_matrix(X.iloc[keep]), np.zeros(len(keep), dtype=np.int64), 1)
    for part in ("mean", "spread", "factor"):
        table, own = getattr(whole, part)[0], getattr(stage.kernel_, part)
        np.testing.assert_array_equal(own[1], table)
        assert not np.allclose(own[0], table), part


@pytest.mark.parametrize("cls", GENERATORS, ids=lambda c: c.__name__)
def test_smoothing_moves_drawn_values_off_the_training_values_and_keeps_the_marginals(cls):
    X = load_wine(as_frame=True).data
    plain = make(cls, smoothing=0.0).fit(X)
    smooth = make(cls, smoothing=0.3).fit(X)
    twin = copy.deepcopy(smooth)
    a, b = plain.sample(3000), smooth.sample(3000)
    magnesium = X["magnesium"]  # integers, 53 values over 178 rows
    # The same fit and the same encoded draws: smoothing alone moves each value, by about its bandwidth.
    shift = (b["alcohol"] - a["alcohol"]) / X["alcohol"].std()
    assert 0.2 < shift.std() < 0.4 and (shift != 0).mean() > 0.9
    for column in ["alcohol", "magnesium", "proline"]:
        # Shrunk about the training mean: the variance of a draw with the training variance is kept.
        expected = (a[column].var() + 0.09 * X[column].var(ddof=0)) / 1.09
        assert abs(b[column].var() / expected - 1) < 0.1, column
        assert abs(b[column].mean() - a[column].mean()) < 0.1 * X[column].std(), column
    assert b.dtypes.equals(a.dtypes) and (b["magnesium"] == np.round(b["magnesium"])).all()
    assert b["magnesium"].between(magnesium.min(), magnesium.max()).all()
    pd.testing.assert_frame_equal(twin.sample(3000), b)
