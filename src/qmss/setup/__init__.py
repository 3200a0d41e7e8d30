"""Setting up an installation: `qmss bootstrap` and `qmss load_demo`, the demo organisations and logins.

It sits above every app (it loads territory, reference libraries, the registry and demo links), so no app
imports it; import-linter keeps it at the top.
"""
