"""Over-sampling a rare class inside an imbalanced-learn Pipeline.

breast_cancer with the malignant class cut to 10% of the rows (357 benign, 40
malignant). Each method is a Pipeline (scaling, over-sampling, logistic
regression) scored by 5-fold stratified cross-validation repeated twice, so
synthetic rows only ever join training folds. Prints mean and standard
deviation of balanced accuracy and ROC AUC per method.

    python examples/imbalanced_classification.py
"""

import time

import numpy as np
import pandas as pd
from imblearn.over_sampling import SMOTE, RandomOverSampler
from imblearn.pipeline import make_pipeline
from sklearn.datasets import load_breast_cancer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import RepeatedStratifiedKFold, cross_validate
from sklearn.preprocessing import StandardScaler

from augment import GANGenerator, SyntheticOversampler, VAEGenerator, VQVAEGenerator


def rare_cancer(n_rare=40, seed=0):
    X, y = load_breast_cancer(return_X_y=True, as_frame=True)
    malignant = 1 - y  # 1 = malignant, the rare class here
    rng = np.random.default_rng(seed)
    keep = np.r_[np.flatnonzero(malignant == 0), rng.choice(np.flatnonzero(malignant == 1), n_rare, replace=False)]
    return X.iloc[keep].reset_index(drop=True), malignant.iloc[keep].reset_index(drop=True)


def main():
    X, y = rare_cancer()
    samplers = {
        "no augmentation": None,
        "RandomOverSampler": RandomOverSampler(random_state=0),
        "SMOTE": SMOTE(random_state=0),
        "augment VAE": SyntheticOversampler(VAEGenerator(random_state=0), random_state=0),
        "augment VQ-VAE": SyntheticOversampler(VQVAEGenerator(random_state=0), random_state=0),
        "augment GAN": SyntheticOversampler(GANGenerator(random_state=0), random_state=0),
    }
    cv = RepeatedStratifiedKFold(n_splits=5, n_repeats=2, random_state=0)
    rows = []
    for name, sampler in samplers.items():
        steps = [StandardScaler(), *([sampler] if sampler is not None else []), LogisticRegression(max_iter=5000)]
        start = time.perf_counter()
        scores = cross_validate(make_pipeline(*steps), X, y, cv=cv, scoring=["balanced_accuracy", "roc_auc"])
        rows.append(
            {
                "method": name,
                "balanced accuracy": f"{scores['test_balanced_accuracy'].mean():.3f} ± "
                f"{scores['test_balanced_accuracy'].std():.3f}",
                "ROC AUC": f"{scores['test_roc_auc'].mean():.4f} ± {scores['test_roc_auc'].std():.4f}",
                "seconds": round(time.perf_counter() - start, 1),
            }
        )
        print(rows[-1], flush=True)
    print(f"\nbreast_cancer, {int((y == 0).sum())} benign vs {int(y.sum())} malignant, 5-fold x 2 repeats")
    print(pd.DataFrame(rows).to_markdown(index=False))


if __name__ == "__main__":
    main()
