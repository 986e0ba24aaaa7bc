"""Does augmentation help a classifier on a rare, hard label? Every method, two classifiers, five seeds.

The RAND Health Insurance Experiment (statsmodels' public-domain ``randhie``,
20,190 people; label: self-rated fair or poor health, 9.2%). Each seed trains
on 300 stratified rows and tests on the other 19,890. Methods: no
augmentation, random over-sampling, SMOTE-NC (imbalanced-learn), each
augment generator's rows for the rare class up to balance, and
``AugmentedClassifier(sampling_strategy="auto-cv")``, which chooses among
those by cross-validation on the 300 training rows alone. Classifiers:
scaled logistic regression and histogram gradient boosting. Prints mean ±
standard deviation over seeds of balanced accuracy and ROC AUC, what auto-cv
chose, and which method it would pick.

    pip install -e ".[imbalanced,datasets]"
    python examples/imbalanced_classification.py            # about 6 minutes on 2 CPU cores
"""

from augment.comparison import choices, compare, recommendation, summary
from augment.datasets import load_health


def main():
    X, y = load_health()
    scores, _ = compare(X, y, n_train=300, seeds=5, epochs=300)
    print(f"\nRAND health, 300 training rows, {len(X) - 300:,} test rows, 5 seeds:\n")
    print(summary(scores).to_markdown())
    print("\n" + choices(scores))
    print("\n" + recommendation(scores))


if __name__ == "__main__":
    main()
