"""Small real tables built from data that ships with scikit-learn."""

import numpy as np
import pandas as pd
from sklearn.datasets import load_diabetes


def load_mixed(random_state=0):
    """The diabetes study (442 patients) as a mixed-type table with missing values.

    Built from scikit-learn's bundled, unscaled diabetes data: integer
    columns (``age``, ``tc``, ``hdl``, ``glucose``, ``progression``), a
    binary categorical ``sex``, a four-level ordered-looking categorical
    ``bp_level`` binned from blood pressure (its top level holds about 7% of
    rows), float columns with their recorded decimals (``bmi``, ``ltg``,
    ``ldl``), and missing values: about 5% of ``bmi`` and 6% of ``bp_level``,
    placed at random with ``random_state``.

    Returns
    -------
    DataFrame of shape (442, 10)

    Examples
    --------
    >>> df = load_mixed()
    >>> df.shape, int(df["bmi"].isna().sum()) > 0
    ((442, 10), True)
    """
    raw = load_diabetes(as_frame=True, scaled=False).frame
    rng = np.random.default_rng(random_state)
    frame = pd.DataFrame(
        {
            "age": raw["age"].astype("int64"),
            "sex": pd.Categorical(raw["sex"].map({1.0: "female", 2.0: "male"})),
            "bmi": raw["bmi"],
            "bp_level": pd.Series(
                pd.cut(raw["bp"], [0, 80, 95, 115, 200], labels=["low", "normal", "high", "very high"]).astype(str),
                dtype=object,
            ),
            "tc": raw["s1"].astype("int64"),
            "ldl": raw["s2"],
            "hdl": raw["s3"].astype("int64"),
            "ltg": raw["s5"],
            "glucose": raw["s6"].astype("int64"),
            "progression": raw["target"].astype("int64"),
        }
    )
    frame.loc[rng.random(len(frame)) < 0.06, "bmi"] = np.nan
    frame.loc[rng.random(len(frame)) < 0.08, "bp_level"] = None
    return frame
