"""Fit each generator on half of breast_cancer and score it against the other half.

    python examples/quickstart.py

Prints, for each generator and for a 3-component GaussianMixture baseline,
the fit time, the mean KS statistic over columns, the correlation-matrix
difference and the detection AUC of a logistic regression and of gradient
boosting telling held-out real rows from synthetic ones (0.5 is ideal).
"""

import time

import pandas as pd
from sklearn.datasets import load_breast_cancer
from sklearn.mixture import GaussianMixture
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from augment import GANGenerator, VAEGenerator, VQVAEGenerator
from augment.metrics import column_shapes, correlation_difference, detection_auc


def gaussian_mixture(train, n):
    scaler = StandardScaler().fit(train)
    mixture = GaussianMixture(3, covariance_type="full", random_state=0).fit(scaler.transform(train))
    return pd.DataFrame(scaler.inverse_transform(mixture.sample(n)[0]), columns=train.columns)


def main():
    X = load_breast_cancer(as_frame=True).data
    train, test = train_test_split(X, test_size=0.5, random_state=0)
    candidates = {
        "GANGenerator": lambda: GANGenerator(random_state=0, verbose=True).fit(train).sample(len(test)),
        "VAEGenerator": lambda: VAEGenerator(random_state=0, verbose=True).fit(train).sample(len(test)),
        "VQVAEGenerator": lambda: VQVAEGenerator(random_state=0, verbose=True).fit(train).sample(len(test)),
        "GaussianMixture (baseline)": lambda: gaussian_mixture(train, len(test)),
    }
    rows = [("real vs real", 0.0, train.iloc[: len(test)])]
    for name, make in candidates.items():
        start = time.perf_counter()
        synthetic = make()
        rows.append((name, time.perf_counter() - start, synthetic))
    table = pd.DataFrame(
        [
            {
                "model": name,
                "fit+sample s": seconds,
                "mean KS": column_shapes(test, synthetic)["distance"].mean(),
                "corr diff": correlation_difference(test, synthetic),
                "AUC logistic": detection_auc(test, synthetic, "logistic"),
                "AUC boosting": detection_auc(test, synthetic, "boosting"),
            }
            for name, seconds, synthetic in rows
        ]
    )
    print(f"breast_cancer: fit on {len(train)} rows, scored against {len(test)} held-out rows")
    print(table.to_string(index=False, float_format=lambda v: f"{v:.3f}"))


if __name__ == "__main__":
    main()
