"""E-mails about network applications, sent only after the transaction that caused them commits
(:func:`qmss.core.mail.send_after_commit`): a rolled-back move leaves no e-mail behind.

- every move of the workflow: the provider organisation's editors and the network's managers;
  the decision also goes to the municipalities that filed a statement;
- a new application A or C: the editors of the municipalities in its territory are asked for a statement;
- a statement filed: the network's managers and the provider's editors.
"""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from qmss.core.mail import send_after_commit
from qmss.network import selectors_applications as selectors
from qmss.network.models import Application, ApplicationStep, MunicipalityStatement

DECIDED = (Application.State.APPROVED, Application.State.REJECTED)


def _url(application: Application) -> str:
    base_url = getattr(settings, "QMSS_BASE_URL", "").rstrip("/")
    return base_url + reverse("network:application", kwargs={"application_pk": application.pk})


def _send(subject: str, template: str, context: dict, recipients: list[str]) -> None:
    if recipients:
        send_after_commit(
            subject=subject, message=render_to_string(template, context), recipient_list=sorted(set(recipients))
        )


def _provider_emails(application: Application) -> list[str]:
    return selectors.editor_emails([application.organisation_id]).get(application.organisation_id, [])


def state_changed(application: Application, step: ApplicationStep) -> None:
    recipients = _provider_emails(application) + selectors.manager_emails(application.network)
    if application.state in DECIDED:
        filed = list(application.statements.values_list("organisation_id", flat=True))
        for emails in selectors.editor_emails(filed).values():
            recipients += emails
    with translation.override(settings.LANGUAGE_CODE):
        context = {"application": application, "step": step, "url": _url(application)}
        subject = _("Application %(kind)s for %(service)s: %(state)s") % {
            "kind": application.kind,
            "service": application.service.name,
            "state": application.get_state_display(),
        }
        _send(subject, "network/applications/email/state.txt", context, recipients)


def statement_requested(application: Application) -> None:
    organisations = list(selectors.municipalities_asked(application).values_list("pk", flat=True))
    recipients = [email for emails in selectors.editor_emails(organisations).values() for email in emails]
    with translation.override(settings.LANGUAGE_CODE):
        context = {"application": application, "url": _url(application)}
        subject = _("Statement of need requested: %(service)s") % {"service": application.service.name}
        _send(subject, "network/applications/email/statement_requested.txt", context, recipients)


def statement_filed(application: Application, statement: MunicipalityStatement) -> None:
    recipients = _provider_emails(application) + selectors.manager_emails(application.network)
    with translation.override(settings.LANGUAGE_CODE):
        context = {"application": application, "statement": statement, "url": _url(application)}
        subject = _("Statement of need filed: %(service)s") % {"service": application.service.name}
        _send(subject, "network/applications/email/statement_filed.txt", context, recipients)
