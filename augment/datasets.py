"""Small real tables built from data that ships inside packages (scikit-learn, statsmodels)."""

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


def load_health():
    """The RAND Health Insurance Experiment: 20,190 people, a rare label of fair or poor health.

    statsmodels' ``randhie`` data (public domain; ``pip install statsmodels``),
    read from the installed package, never downloaded. Seven mixed-type
    columns: ``visits`` (doctor visits in the year, an integer count),
    ``log_coinsurance``, ``individual_deductible`` (bool), ``log_incentive``
    (the experiment's participation payment), ``log_max_deductible``,
    ``physical_limitation`` and ``chronic_diseases`` (an index). The label is
    self-rated health of fair or poor (1, 9.2% of rows) against good or
    excellent (0): rare, and far from separable, so what augmentation does to
    a classifier shows.

    Returns
    -------
    X : DataFrame of shape (20190, 7)
    y : Series of int, named ``fair_or_poor_health``

    Examples
    --------
    >>> X, y = load_health()
    >>> X.shape, round(float(y.mean()), 3)
    ((20190, 7), 0.092)
    """
    try:
        from statsmodels.datasets import randhie
    except ImportError as error:
        raise ImportError("load_health reads statsmodels' bundled randhie data: pip install statsmodels") from error
    raw = randhie.load_pandas().data
    X = pd.DataFrame(
        {
            "visits": raw["mdvis"].astype("int64"),
            "log_coinsurance": raw["lncoins"],
            "individual_deductible": raw["idp"].astype(bool),
            "log_incentive": raw["lpi"],
            "log_max_deductible": raw["fmde"],
            "physical_limitation": raw["physlm"],
            "chronic_diseases": raw["disea"],
        }
    )
    y = ((raw["hlthf"] + raw["hlthp"]) > 0).astype("int64").rename("fair_or_poor_health")
    return X, y
