"""Organisation kinds, membership roles and what each role may do.

The rules here are product rules (who may do what inside QMSS), not legal or regional data.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganisationKind(models.TextChoices):
    PROVIDER = "provider", _("Social-service provider")
    REGION = "region", _("Regional authority")
    MUNICIPALITY = "municipality", _("Municipality")
    MINISTRY = "ministry", _("Ministry")
    AUDIT_BODY = "audit_body", _("Audit or consulting body")
    TRAINING_PROVIDER = "training_provider", _("Training provider")


class Role(models.TextChoices):
    ADMIN = "admin", _("Organisation administrator")
    EDITOR = "editor", _("Editor")
    READER = "reader", _("Reader")
    NETWORK_MANAGER = "network_manager", _("Network manager")
    AUDITOR = "auditor", _("Auditor")


# Roles that make sense for each organisation kind.
ROLES_BY_KIND: dict[str, tuple[str, ...]] = {
    OrganisationKind.PROVIDER: (Role.ADMIN, Role.EDITOR, Role.READER),
    OrganisationKind.REGION: (Role.ADMIN, Role.NETWORK_MANAGER, Role.EDITOR, Role.READER),
    OrganisationKind.MUNICIPALITY: (Role.ADMIN, Role.EDITOR, Role.READER),
    OrganisationKind.MINISTRY: (Role.ADMIN, Role.EDITOR, Role.READER),
    OrganisationKind.AUDIT_BODY: (Role.ADMIN, Role.AUDITOR, Role.READER),
    OrganisationKind.TRAINING_PROVIDER: (Role.ADMIN, Role.EDITOR, Role.READER),
}


class Perm:
    """Capabilities a membership grants inside its organisation."""

    VIEW = "view"  # see the organisation's own data
    EDIT = "edit"  # change the organisation's domain data
    MANAGE_MEMBERS = "manage_members"  # invite, change roles, remove members
    VIEW_AUDIT_LOG = "view_audit_log"  # read the organisation's audit log
    MANAGE_NETWORK = "manage_network"  # region: manage the network of services
    AUDIT = "audit"  # audit body: carry out audits


ROLE_PERMS: dict[str, frozenset[str]] = {
    Role.ADMIN: frozenset({Perm.VIEW, Perm.EDIT, Perm.MANAGE_MEMBERS, Perm.VIEW_AUDIT_LOG}),
    Role.EDITOR: frozenset({Perm.VIEW, Perm.EDIT}),
    Role.READER: frozenset({Perm.VIEW}),
    Role.NETWORK_MANAGER: frozenset({Perm.VIEW, Perm.EDIT, Perm.MANAGE_NETWORK}),
    Role.AUDITOR: frozenset({Perm.VIEW, Perm.EDIT, Perm.AUDIT}),
}
