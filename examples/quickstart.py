"""
Fit each generator and score it against held-out rows
=====================================================

Fit each generator on half of breast_cancer and score it against the other half.

.. code-block:: bash

    python examples/quickstart.py                # every generator at its defaults
    python examples/quickstart.py --epochs 30    # shorter fits (the docs' gallery runs this)

Prints, for each generator and for a 3-component GaussianMixture baseline,
the fit time, the mean KS statistic over columns, the correlation-matrix
difference and the detection AUC of a logistic regression and of gradient
boosting telling held-out real rows from synthetic ones (0.5 is ideal), then
the VAE's quality report and its figure.
"""

import argparse
import time

import pandas as pd
from sklearn.datasets import load_breast_cancer
from sklearn.mixture import GaussianMixture
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from augment import GANGenerator, VAEGenerator, VQVAEGenerator, quality_report
from augment.metrics import column_shapes, correlation_difference, detection_auc


def gaussian_mixture(train, n):
    scaler = StandardScaler().fit(train)
    mixture = GaussianMixture(3, covariance_type="full", random_state=0).fit(scaler.transform(train))
    return pd.DataFrame(scaler.inverse_transform(mixture.sample(n)[0]), columns=train.columns)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--epochs", type=int, default=None, help="every generator's epochs (default: its own)")
    args = parser.parse_args()
    epochs = {} if args.epochs is None else {"epochs": args.epochs}
    X = load_breast_cancer(as_frame=True).data
    train, test = train_test_split(X, test_size=0.5, random_state=0)
    generators = {
        "GANGenerator": GANGenerator(random_state=0, **epochs),
        "VAEGenerator": VAEGenerator(random_state=0, **epochs),
        "VQVAEGenerator": VQVAEGenerator(random_state=0, **epochs, **({"prior_epochs": args.epochs} if epochs else {})),
    }
    rows = [("real vs real", 0.0, train.iloc[: len(test)])]
    for name, generator in generators.items():
        start = time.perf_counter()
        synthetic = generator.fit(train).sample(len(test))
        rows.append((name, time.perf_counter() - start, synthetic))
    start = time.perf_counter()
    mixture = gaussian_mixture(train, len(test))
    rows.append(("GaussianMixture (baseline)", time.perf_counter() - start, mixture))
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
    vae = generators["VAEGenerator"]
    report = quality_report(test, vae.sample(len(test)), generator=vae)
    print(report.summary())
    report.figure()  # real against synthetic, column by column; the correlations; the losses


if __name__ == "__main__":
    main()
