"""The device every test fits its generators on: ``cpu``, or what ``pytest --device`` names (see conftest.py)."""

DEVICE = "cpu"
