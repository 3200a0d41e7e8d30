from django.conf import settings

from qmss.core import hooks
from qmss.core.scoping import get_scope


def qmss(request):
    """Context for every page: the user's scope, debug flag, and what apps add through the ``context`` hook."""
    return {
        "scope": get_scope(request),
        "qmss_debug": settings.DEBUG,
        **hooks.merged("context", request),
    }
