from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentsConfig(AppConfig):
    name = "qmss.assessments"
    label = "assessments"
    verbose_name = _("Assessments")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from qmss.assessments import models, selectors
        from qmss.core import history

        auditlog.register(models.Assessment)
        auditlog.register(models.Result, m2m_fields={"evidence"})
        auditlog.register(models.Finding)
        auditlog.register(models.Evidence)
        auditlog.register(models.EvidenceVersion)

        history.register(models.Assessment, selectors.visible_assessments)
        history.register(models.Evidence, selectors.visible_evidence)

        from qmss.assessments import confidential

        confidential.register()  # working notes, and results and findings until publication
