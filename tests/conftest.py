import pytest
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import train_test_split

from augment.datasets import load_mixed


@pytest.fixture(scope="session")
def mixed():
    return load_mixed()


@pytest.fixture(scope="session")
def cancer_halves():
    X = load_breast_cancer(as_frame=True).data
    return train_test_split(X, test_size=0.5, random_state=0)
