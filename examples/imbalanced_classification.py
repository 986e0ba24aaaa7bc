"""
Does augmentation help a classifier on a rare label?
====================================================

Does augmentation help a classifier on a rare, hard label? Every method, two classifiers, five seeds.

The RAND Health Insurance Experiment (statsmodels' public-domain ``randhie``,
20,190 people; label: self-rated fair or poor health, 9.2%). Each seed trains
on 300 stratified rows and tests on the other 19,890. Methods: no
augmentation, random over-sampling, SMOTE-NC (imbalanced-learn), each
augment generator's rows for the rare class up to balance, and
``AugmentedClassifierCV`` ("auto-cv"), which chooses among
those by cross-validation on the 300 training rows alone. Classifiers:
scaled logistic regression and histogram gradient boosting. Prints mean ±
standard deviation over seeds of balanced accuracy and ROC AUC, what auto-cv
chose, and which method it would pick.

.. code-block:: bash

    pip install -e ".[imbalanced,datasets]"
    python examples/imbalanced_classification.py                       # 5 seeds, 300 epochs
    python examples/imbalanced_classification.py --seeds 2 --epochs 30  # the docs' gallery runs this
"""

import argparse

from augment.comparison import choices, compare, recommendation, summary
from augment.datasets import load_health


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, default=5, help="train/test draws (default 5)")
    parser.add_argument("--epochs", type=int, default=300, help="every generator's epochs (default 300)")
    args = parser.parse_args()
    X, y = load_health()
    scores, _ = compare(X, y, n_train=300, seeds=args.seeds, epochs=args.epochs, verbose=False)
    print(f"\nRAND health, 300 training rows, {len(X) - 300:,} test rows, {args.seeds} seeds:\n")
    print(summary(scores).to_markdown())
    print("\n" + choices(scores))
    print("\n" + recommendation(scores))


if __name__ == "__main__":
    main()
