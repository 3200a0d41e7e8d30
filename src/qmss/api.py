"""The QMSS HTTP API (django-ninja), mounted at /api/v1/ with its OpenAPI schema at /api/v1/openapi.json."""

from ninja import NinjaAPI

from qmss import __version__

api = NinjaAPI(
    title="QMSS API",
    version=__version__,
    description="Kvalita a síť sociálních služeb – programátorské rozhraní / QMSS programming interface.",
    urls_namespace="api",
)

api.add_router("/territory/", "qmss.territory.api.router")
api.add_router("/frameworks/", "qmss.frameworks.api.router")
api.add_router("/providers", "qmss.registry.api.providers_router")
api.add_router("/services", "qmss.registry.api.services_router")
api.add_router("/assessments/", "qmss.assessments.api.router")
api.add_router("/needs/", "qmss.needs.api.router")
api.add_router("/network/", "qmss.network.api.router")
api.add_router("/financing/", "qmss.financing.api.router")
api.add_router("/portal/", "qmss.portal.api.router")
