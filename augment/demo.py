"""``augment demo``: the main job on a rare-class slice of scikit-learn's breast_cancer."""

import time

import numpy as np
import pandas as pd
from sklearn.datasets import load_breast_cancer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import balanced_accuracy_score, roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from .generators import GANGenerator, VAEGenerator, VQVAEGenerator
from .report import quality_report


def rare_malignant(n_rare=40, random_state=0):
    """breast_cancer with every benign row and ``n_rare`` malignant ones (label 1 = malignant)."""
    X, y = load_breast_cancer(return_X_y=True, as_frame=True)
    malignant = (1 - y).rename("malignant")
    rng = np.random.default_rng(random_state)
    rare = rng.choice(np.flatnonzero(malignant == 1), n_rare, replace=False)
    keep = np.r_[np.flatnonzero(malignant == 0), rare]
    return X.iloc[keep].reset_index(drop=True), malignant.iloc[keep].reset_index(drop=True)


def _baselines(X, y, random_state):
    """Training sets of the comparison methods that need no generator."""
    sets = {"no augmentation": (X, y)}
    counts = y.value_counts()
    minority, deficit = counts.idxmin(), counts.max() - counts.min()
    rng = np.random.default_rng(random_state)
    extra = rng.choice(np.flatnonzero(y == minority), deficit, replace=True)
    sets["random over-sampling"] = (pd.concat([X, X.iloc[extra]]), pd.concat([y, y.iloc[extra]]))
    try:
        from imblearn.over_sampling import SMOTE
    except ImportError:
        return sets
    sets["SMOTE"] = SMOTE(random_state=random_state).fit_resample(X, y)
    return sets


def _score(X_train, y_train, X_test, y_test):
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=5000)).fit(X_train, y_train)
    return {
        "balanced accuracy": balanced_accuracy_score(y_test, model.predict(X_test)),
        "ROC AUC": roc_auc_score(y_test, model.predict_proba(X_test)[:, 1]),
    }


def run_demo(plot_path, epochs=300, random_state=0):
    """Fit the three generators, print fidelity and uplift tables, write the report figure."""
    X, y = rare_malignant(random_state=random_state)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.5, stratify=y, random_state=random_state)
    counts = y_train.value_counts()
    print(
        f"breast_cancer, rare-malignant slice: {len(X)} rows ({int(y.sum())} malignant), 30 columns; "
        f"generators fit on {len(X_train)} rows, scored on {len(X_test)} held-out rows\n"
    )
    generators = {"GAN": GANGenerator, "VAE": VAEGenerator, "VQ-VAE": VQVAEGenerator}
    fidelity, uplift, fitted = [], {}, {}
    for name, cls in generators.items():
        start = time.perf_counter()
        generator = cls(epochs=epochs, random_state=random_state, verbose=True).fit(X_train, y_train)
        seconds = time.perf_counter() - start
        fitted[name] = generator
        X_syn, _ = generator.sample(y=y_test.value_counts().to_dict())
        report = quality_report(X_test, X_syn)
        fidelity.append({"generator": name, "fit s": seconds, **report.scores})
        X_new, y_new = generator.sample(y={counts.idxmin(): int(counts.max() - counts.min())})
        uplift[f"augment {name}"] = (pd.concat([X_train, X_new]), pd.concat([y_train, y_new]))
    table = pd.DataFrame(fidelity).set_index("generator")
    print("fidelity against held-out rows (0 is identical for distances, 0.5 is ideal for AUCs):")
    print(table.to_string(float_format=lambda v: f"{v:.3f}"))
    rows = {
        name: _score(Xs, ys, X_test, y_test)
        for name, (Xs, ys) in {**_baselines(X_train, y_train, random_state), **uplift}.items()
    }
    print("\nlogistic regression trained on each set, scored on the held-out rows:")
    print(pd.DataFrame.from_dict(rows, orient="index").to_string(float_format=lambda v: f"{v:.4f}"))
    best = table["detection AUC, boosting"].idxmin()
    generator = fitted[best]
    X_syn, _ = generator.sample(y=y_test.value_counts().to_dict())
    quality_report(X_test, X_syn, generator=generator).plot(plot_path)
    print(f"\nreport figure for the {best} (lowest boosting detection AUC) written to {plot_path}")
