"""The engines behind the Backend protocol (base.py): doltlite.py, dolt.py; versioning.py
reads their version-control tables."""

__all__: list[str] = []
