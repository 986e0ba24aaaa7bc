"""The three generators on scikit-learn's 8x8 digits, against one GaussianMixture per class in PCA space.

A stratified 60/40 split of load_digits (1,078 training, 719 test images).
For each method: fit seconds; train-synthetic-test-real accuracy (an SVC,
gamma=0.001, trained on as many synthetic images as there are training
images, scored on the real test images) next to train-real-test-real; the
share of synthetic images an SVC trained on real images assigns to the
class they were drawn for; the Fréchet distance in the feature space of a
small CNN trained on the real training images (augment.metrics); and the
small-data uplift: an SVC on 10 real images per class, with and without
1,000 synthetic images from a generator fit on those 100 images (mean over
seeds). Generators run at their defaults, whose "auto" values take the
image settings (smaller batches; one critic step for the GAN; a shorter
autoencoder phase and a longer prior for the VQ-VAE).

    python benchmarks/images.py                      # all generators, 5 seeds
    python benchmarks/images.py --generators VAE --seeds 2
    python benchmarks/images.py --plot digits.png    # a grid of samples per class and method
    python benchmarks/images.py --generators VQ-VAE --param prior_temperature=1.25
"""

import argparse
import time

import numpy as np
import pandas as pd
from _params import add_param_option, check_params, params_for
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA
from sklearn.mixture import GaussianMixture
from sklearn.model_selection import train_test_split
from sklearn.svm import SVC

from augment import GANGenerator, VAEGenerator, VQVAEGenerator
from augment.image_features import ImageFeatures
from augment.metrics import frechet_distance

SHAPE = (1, 8, 8)
GENERATORS = {"GAN": GANGenerator, "VAE": VAEGenerator, "VQ-VAE": VQVAEGenerator}


class PCAMixture:
    """One GaussianMixture per class in PCA space (99% of the variance): what scikit-learn alone offers."""

    def __init__(self, random_state=0):
        self.random_state = random_state

    def fit(self, X, y):
        self.low, self.high = X.min(), X.max()
        self.pca = PCA(0.99, random_state=self.random_state).fit(X)
        Z = self.pca.transform(X)
        self.mixtures = {}
        for label in np.unique(y):
            rows = Z[y == label]
            components = max(1, min(10, len(rows) // 10))
            self.mixtures[label] = GaussianMixture(components, random_state=self.random_state).fit(rows)
        return self

    def sample(self, y):
        images, labels = [], []
        for label, count in y.items():
            Z = self.mixtures[label].sample(count)[0]
            images.append(np.clip(np.round(self.pca.inverse_transform(Z)), self.low, self.high))
            labels.append(np.full(count, label))
        return np.vstack(images), np.concatenate(labels)


def svc():
    return SVC(gamma=0.001)


def per_class(y, n):
    return {label: n for label in np.unique(y)}


def make(name, seed, params):
    if name == "GaussianMixture":
        return PCAMixture(seed)
    return GENERATORS[name](image_shape=SHAPE, random_state=seed, **params_for(GENERATORS[name], params))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--generators", nargs="+", default=list(GENERATORS), choices=list(GENERATORS))
    parser.add_argument("--seeds", type=int, default=5, help="seeds of the 10-per-class runs")
    parser.add_argument("--epochs", type=int, default=None, help="override every generator's epochs")
    parser.add_argument("--plot", default=None, help="write a PNG grid of samples per class and method")
    add_param_option(parser)
    args = parser.parse_args()
    check_params(parser, args.param, [GENERATORS[name] for name in args.generators])
    params = {**({} if args.epochs is None else {"epochs": args.epochs}), **dict(args.param)}
    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.4, stratify=y, random_state=0)
    judge = svc().fit(X_train, y_train)
    features = ImageFeatures(SHAPE).fit(X_train, y_train)
    rows = [
        {
            "method": "real images",
            "fit s": 0.0,
            "TSTR accuracy": judge.score(X_test, y_test),
            "label agreement": judge.score(X_test, y_test),
            "FD": frechet_distance(X_train, X_test, features),
        }
    ]
    grids = {}
    for name in ["GaussianMixture", *args.generators]:
        start = time.perf_counter()
        model = make(name, 0, params).fit(X_train, y_train)
        seconds = time.perf_counter() - start
        images, labels = model.sample(y=per_class(y_train, len(y_train) // 10))
        grids[name] = model.sample(y=per_class(y_train, 10))[0]
        row = {
            "method": name,
            "fit s": seconds,
            "TSTR accuracy": svc().fit(images, labels).score(X_test, y_test),
            "label agreement": judge.score(images, labels),
            "FD": frechet_distance(X_test, images, features),
        }
        gains = []
        for seed in range(args.seeds):
            few, _, y_few, _ = train_test_split(X_train, y_train, train_size=100, stratify=y_train, random_state=seed)
            alone = svc().fit(few, y_few).score(X_test, y_test)
            extra, extra_y = make(name, seed, params).fit(few, y_few).sample(y=per_class(y_few, 100))
            both = svc().fit(np.vstack([few, extra]), np.concatenate([y_few, extra_y])).score(X_test, y_test)
            gains.append((alone, both))
        alone, both = np.mean(gains, axis=0)
        row.update({"10/class real": alone, "10/class + 1,000 synthetic": both})
        rows.append(row)
        print(pd.DataFrame([row]).to_string(index=False, float_format="%.3f"), flush=True)
    print()
    print(pd.DataFrame(rows).to_markdown(index=False, floatfmt=".3f"))
    if args.plot:
        plot(grids, args.plot)


def plot(grids, path):
    """Ten samples of each class (columns) for each method (blocks of rows)."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(grids), figsize=(2.6 * len(grids), 2.9))
    for ax, (name, images) in zip(np.atleast_1d(axes), grids.items(), strict=True):
        tiles = images.reshape(10, 10, 8, 8).transpose(1, 2, 0, 3).reshape(80, 80)
        ax.imshow(tiles, cmap="gray_r", vmin=0, vmax=16)
        ax.set_title(name)
        ax.axis("off")
    fig.tight_layout()
    fig.savefig(path, dpi=80)


if __name__ == "__main__":
    main()
