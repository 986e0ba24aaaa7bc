"""Choosing the generator and the sampling strategy by grid search.

The rare-malignant breast_cancer table of imbalanced_classification.py; a
scikit-learn Pipeline whose last step is an AugmentedClassifier, searched
over the generator and how far to balance, scored by balanced accuracy with
3-fold stratified cross-validation.

    python examples/generator_grid_search.py
"""

import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from augment import AugmentedClassifier, GANGenerator, VAEGenerator, VQVAEGenerator

from imbalanced_classification import rare_cancer


def main():
    X, y = rare_cancer()
    pipe = make_pipeline(StandardScaler(), AugmentedClassifier(LogisticRegression(max_iter=5000), random_state=0))
    grid = GridSearchCV(
        pipe,
        {
            "augmentedclassifier__generator": [
                GANGenerator(random_state=0),
                VAEGenerator(random_state=0),
                VQVAEGenerator(random_state=0),
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
