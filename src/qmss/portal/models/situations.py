"""Portal models: situations (owned by the situations part; see the module's classes)."""
__all__: list[str] = []
