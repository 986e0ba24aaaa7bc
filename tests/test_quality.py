"""Statistical fidelity on real bundled data, with bounds a broken model fails.

Generators run at their default sizes and epochs (the GAN's fits are the longest), fit on
one half of a table and compared with the other half.
"""

import numpy as np
import pytest

from augment import GANGenerator, VAEGenerator, VQVAEGenerator
from augment.metrics import column_shapes, correlation_difference, detection_auc

from _device import DEVICE

pytestmark = pytest.mark.slow


@pytest.mark.parametrize(
    ("cls", "max_mean_shift", "max_mean_ks", "max_auc"),
    # The GAN's last iterate (no weight averaging) fails all three: shift 0.35, KS 0.114, AUC 0.679.
    [(VAEGenerator, 0.3, 0.12, 0.65), (VQVAEGenerator, 0.3, 0.15, 0.65), (GANGenerator, 0.3, 0.12, 0.65)],
)
def test_breast_cancer_fidelity_with_few_copies(cancer_halves, cls, max_mean_shift, max_mean_ks, max_auc):
    """One default fit per generator, checked for fidelity to held-out rows and for copies of training rows."""
    train, test = cancer_halves
    synthetic = cls(random_state=0, device=DEVICE).fit(train).sample(len(test))
    shift = ((synthetic.mean() - train.mean()) / train.std()).abs()
    assert shift.max() < max_mean_shift, shift.idxmax()
    assert column_shapes(test, synthetic)["distance"].mean() < max_mean_ks
    assert correlation_difference(test, synthetic) < 0.12
    assert detection_auc(test, synthetic, "logistic") < max_auc
    copies = synthetic.merge(train.drop_duplicates(), how="inner")
    assert len(copies) <= 0.05 * len(synthetic)


@pytest.mark.parametrize("cls", [GANGenerator, VAEGenerator, VQVAEGenerator])
def test_mixed_table_types_missing_values_and_a_rare_class(mixed, cls):
    """One labelled default fit per generator: the table's form and marginals, then rows of its rare class.

    The label marks the 10% of patients whose disease progressed most (``progression`` is left out of X).
    """
    X = mixed.drop(columns="progression")
    y = np.where(mixed["progression"] >= mixed["progression"].quantile(0.9), "fast", "slow")
    generator = cls(random_state=0, device=DEVICE).fit(X, y)
    synthetic, labels = generator.sample(2000)
    assert synthetic.dtypes.tolist() == X.dtypes.tolist()
    assert 0.05 < (labels == "fast").mean() < 0.2
    for column in ["sex", "bp_level"]:
        frequent = X[column].value_counts(normalize=True).loc[lambda f: f >= 0.05].index
        assert set(frequent) <= set(synthetic[column].dropna()), column
    for column in ["bmi", "bp_level"]:
        # real shares are about 0.06; never generating a missing value, or as often as any category, fails.
        real, share = X[column].isna().mean(), synthetic[column].isna().mean()
        assert real / 2 < share < real * 2, (column, share, real)
    assert synthetic.drop(columns=["bmi", "bp_level"]).notna().all().all()
    numeric = X.select_dtypes("number")
    shift = ((synthetic[numeric.columns].mean() - numeric.mean()) / numeric.std()).abs()
    assert shift.max() < 0.35, shift.idxmax()
    np.testing.assert_array_equal(synthetic["bmi"].dropna(), synthetic["bmi"].dropna().round(1))

    X_new, y_new = generator.sample(y={"fast": 300, "slow": 300})
    assert y_new.value_counts().to_dict() == {"fast": 300, "slow": 300}
    for column in ["bmi", "ltg"]:  # about one standard deviation higher where the disease progressed fast
        real_gap = X.loc[y == "fast", column].mean() - X.loc[y == "slow", column].mean()
        gap = X_new.loc[y_new == "fast", column].mean() - X_new.loc[y_new == "slow", column].mean()
        assert real_gap > 0.8 * X[column].std() and gap > 0.4 * real_gap, (column, gap, real_gap)
