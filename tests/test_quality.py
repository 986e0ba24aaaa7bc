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
def test_mixed_table_categories_missing_values_and_types(mixed, cls):
    generator = cls(random_state=0, device=DEVICE).fit(mixed)
    synthetic = generator.sample(2000)
    assert synthetic.dtypes.tolist() == mixed.dtypes.tolist()
    for column in ["sex", "bp_level"]:
        frequent = mixed[column].value_counts(normalize=True).loc[lambda f: f >= 0.05].index
        assert set(frequent) <= set(synthetic[column].dropna()), column
    for column in ["bmi", "bp_level"]:
        # real shares are about 0.06; never generating a missing value, or as often as any category, fails.
        # The GAN on these 442 rows overshoots bp_level's share by 0.010-0.025 over seeds 0-5 (bmi's: within 0.008).
        real, share = mixed[column].isna().mean(), synthetic[column].isna().mean()
        assert real / 2 < share < real * 2, (column, share, real)
    assert synthetic.drop(columns=["bmi", "bp_level"]).notna().all().all()
    numeric = mixed.select_dtypes("number")
    shift = ((synthetic[numeric.columns].mean() - numeric.mean()) / numeric.std()).abs()
    assert shift.max() < 0.35, shift.idxmax()
    np.testing.assert_array_equal(synthetic["bmi"].dropna(), synthetic["bmi"].dropna().round(1))


@pytest.mark.parametrize("cls", [GANGenerator, VAEGenerator, VQVAEGenerator])
def test_rare_class_rows_follow_that_class(mixed, cls):
    X, y = mixed.drop(columns="bp_level"), mixed["bp_level"].fillna("unknown")
    generator = cls(random_state=0, device=DEVICE).fit(X, y)
    X_new, y_new = generator.sample(y={"very high": 300, "normal": 300})
    assert y_new.value_counts().to_dict() == {"very high": 300, "normal": 300}
    real_gap = X.loc[y == "very high", "progression"].mean() - X.loc[y == "normal", "progression"].mean()
    gap = X_new.loc[y_new == "very high", "progression"].mean() - X_new.loc[y_new == "normal", "progression"].mean()
    assert real_gap > 90 and gap > 0.4 * real_gap, gap
