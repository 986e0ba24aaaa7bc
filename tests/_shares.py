"""Category shares of drawn columns against real ones, for the tests."""


def share_distance(real, drawn):
    """Total variation distance between two columns' category shares, missing counted as a category."""

    def shares(column):
        return column.astype(object).fillna("missing").value_counts(normalize=True)

    return 0.5 * shares(real).sub(shares(drawn), fill_value=0).abs().sum()
