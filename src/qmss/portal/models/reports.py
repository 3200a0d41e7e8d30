"""Portal models: reports (owned by the reports part; see the module's classes)."""
__all__: list[str] = []
