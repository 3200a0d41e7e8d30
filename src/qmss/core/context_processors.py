from django.conf import settings

from qmss.core.scoping import get_scope


def qmss(request):
    from qmss.territory.selectors import territory_is_synthetic

    return {
        "scope": get_scope(request),
        "territory_synthetic": territory_is_synthetic(),
        "qmss_debug": settings.DEBUG,
    }
