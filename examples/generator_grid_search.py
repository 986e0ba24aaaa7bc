"""
Choosing the generator and the sampling strategy by grid search
===============================================================

breast_cancer cut to 357 benign and 40 malignant rows; a scikit-learn
Pipeline whose last step is an AugmentedClassifier, searched over the
generator and how far to balance, scored by balanced accuracy with 3-fold
stratified cross-validation.

.. code-block:: bash

    python examples/generator_grid_search.py               # every generator at its defaults
    python examples/generator_grid_search.py --epochs 30   # the docs' gallery runs this
"""

import argparse

import numpy as np
import pandas as pd
from sklearn.datasets import load_breast_cancer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from augment import AugmentedClassifier, GANGenerator, VAEGenerator, VQVAEGenerator


def rare_cancer(n_rare=40, seed=0):
    """breast_cancer with every benign row and ``n_rare`` malignant ones (label 1 = malignant)."""
    X, y = load_breast_cancer(return_X_y=True, as_frame=True)
    malignant = 1 - y
    rng = np.random.default_rng(seed)
    keep = np.r_[np.flatnonzero(malignant == 0), rng.choice(np.flatnonzero(malignant == 1), n_rare, replace=False)]
    return X.iloc[keep].reset_index(drop=True), malignant.iloc[keep].reset_index(drop=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--epochs", type=int, default=None, help="every generator's epochs (default: its own)")
    args = parser.parse_args()
    epochs = {} if args.epochs is None else {"epochs": args.epochs}
    vq_epochs = {} if args.epochs is None else {"epochs": args.epochs, "prior_epochs": args.epochs}
    X, y = rare_cancer()
    pipe = make_pipeline(StandardScaler(), AugmentedClassifier(LogisticRegression(max_iter=5000), random_state=0))
    grid = GridSearchCV(
        pipe,
        {
            "augmentedclassifier__generator": [
                GANGenerator(random_state=0, **epochs),
                VAEGenerator(random_state=0, **epochs),
                VQVAEGenerator(random_state=0, **vq_epochs),
            ],
            "augmentedclassifier__sampling_strategy": [0.5, "auto"],
        },
        scoring="balanced_accuracy",
        cv=StratifiedKFold(3, shuffle=True, random_state=0),
    ).fit(X, y)
    results = pd.DataFrame(grid.cv_results_)
    table = pd.DataFrame(
        {
            "generator": [type(g).__name__ for g in results["param_augmentedclassifier__generator"]],
            "sampling_strategy": results["param_augmentedclassifier__sampling_strategy"].astype(str),
            "balanced accuracy": results["mean_test_score"].round(3),
            "std": results["std_test_score"].round(3),
            "fit s": results["mean_fit_time"].round(1),
            "rank": results["rank_test_score"],
        }
    ).sort_values("rank")
    print(table.to_markdown(index=False))
    print(f"\nbest: {grid.best_params_}")


if __name__ == "__main__":
    main()
