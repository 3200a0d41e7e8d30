"""The task worker of QMSS: django-tasks-db's ``db_worker`` with the registry's housekeeping run first.

Django picks a management command from the FIRST app in INSTALLED_APPS that has it (``get_commands`` walks the
apps in reverse and lets earlier ones overwrite later ones), so this small app is listed just before
``django_tasks_db``; ``qmss.registry`` itself comes after it and could not override the command.
"""
