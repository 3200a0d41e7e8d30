from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import UserCreationForm
from django.utils.translation import gettext_lazy as _

from qmss.core.models import Organisation
from qmss.core.roles import ROLES_BY_KIND, Role


def role_choices(organisation: Organisation) -> list[tuple[str, str]]:
    return [(role, Role(role).label) for role in ROLES_BY_KIND[organisation.kind]]


class OrganisationForm(forms.ModelForm):
    website = forms.URLField(label=_("website"), required=False, assume_scheme="https")

    class Meta:
        model = Organisation
        fields = ["name", "ico", "email", "phone", "website"]

    def clean_ico(self) -> str:
        ico = self.cleaned_data["ico"].strip().replace(" ", "")
        if ico and (len(ico) != 8 or not ico.isdigit()):
            raise forms.ValidationError(_("The company ID (IČO) must have exactly 8 digits."))
        return ico


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("E-mail of the person you invite"))
    role = forms.ChoiceField(label=_("Role"))

    def __init__(self, *args, organisation: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = role_choices(organisation)


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"))

    def __init__(self, *args, organisation: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = role_choices(organisation)


class ProfileForm(forms.ModelForm):
    class Meta:
        model = get_user_model()
        fields = ["first_name", "last_name", "email"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].required = True


class InvitationSignupForm(UserCreationForm):
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)

    class Meta(UserCreationForm.Meta):
        model = get_user_model()
        fields = ["username", "first_name", "last_name"]


def add_action_errors(form, exc: forms.ValidationError) -> None:
    """Show an action's ``ValidationError`` on ``form``: per field where the field exists, else on the form."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)
