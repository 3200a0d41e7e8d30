"""Forms of the awareness content: the article editor, the workflow steps, attachments and the public filters."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qmss.core.collation import czech_sorted
from qmss.portal import actions_content as actions
from qmss.portal.models import Article, Audience, Category
from qmss.registry.models import ServiceKind
from qmss.registry.search import MAX_QUERY_LENGTH


def _kind_choices() -> list[tuple[str, str]]:
    kinds = czech_sorted(ServiceKind.objects.only("code", "name"), key="name")
    return [(kind.code, kind.name) for kind in kinds]


class ArticleForm(forms.Form):
    organisation = forms.TypedChoiceField(label=_("Publisher"), coerce=int)
    kind = forms.ChoiceField(label=_("Type"), choices=Article.Kind.choices)
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    audiences = forms.MultipleChoiceField(
        label=_("Audiences"), choices=Audience.choices, widget=forms.CheckboxSelectMultiple, required=False
    )
    title = forms.CharField(label=_("Title"), max_length=actions.TITLE_MAX)
    perex = forms.CharField(
        label=_("Perex"),
        max_length=actions.PEREX_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("A short introduction shown in lists and search results."),
    )
    body = forms.CharField(
        label=_("Text"),
        max_length=actions.BODY_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 16}),
        help_text=_(
            "Plain text with simple formatting: # heading, **bold**, *italics*, - list, [link](https://…). "
            "HTML is shown as text."
        ),
    )
    transcript = forms.CharField(
        label=_("Transcript"),
        max_length=actions.TRANSCRIPT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Required for video and radio spots and films: it is always shown with the recording."),
    )
    video_id = forms.CharField(
        label=_("Recording identifier"),
        max_length=64,
        required=False,
        help_text=_("The identifier of the recording at the configured video provider (letters, digits, - and _)."),
    )
    kind_codes = forms.MultipleChoiceField(
        label=_("Kinds of services"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("For leaflets and posters: the kinds of services they are about."),
    )
    note = forms.CharField(label=_("Note on the change"), max_length=actions.NOTE_MAX, required=False)

    def __init__(self, *args, organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind_codes"].choices = _kind_choices()
        if organisations is None:
            del self.fields["organisation"]
        else:
            self.fields["organisation"].choices = [(org.pk, org.name) for org in organisations]

    def clean(self):
        data = super().clean()
        if data.get("kind") in Article.RECORDING_KINDS and not (data.get("transcript") or "").strip():
            self.add_error("transcript", _("A recording is always published with its transcript."))
        return data


class SubmitForm(forms.Form):
    action = forms.CharField(widget=forms.HiddenInput, initial=actions.SUBMIT)


class UnpublishForm(forms.Form):
    action = forms.CharField(widget=forms.HiddenInput, initial=actions.UNPUBLISH)


class ApproveForm(forms.Form):
    action = forms.CharField(widget=forms.HiddenInput, initial=actions.APPROVE)
    publish_at = forms.DateTimeField(
        label=_("Publish from"),
        required=False,
        input_formats=["%Y-%m-%dT%H:%M", "%d.%m.%Y %H:%M", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Leave empty to publish now; a later date and time schedules the publication."),
    )

    def clean_publish_at(self):
        value = self.cleaned_data.get("publish_at")
        if value is not None and timezone.is_naive(value):
            value = timezone.make_aware(value)
        return value


class ReturnForm(forms.Form):
    action = forms.CharField(widget=forms.HiddenInput, initial=actions.RETURN)
    reason = forms.CharField(
        label=_("Reason for return"), max_length=actions.REASON_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )


TRANSITION_FORMS = {
    actions.SUBMIT: SubmitForm,
    actions.APPROVE: ApproveForm,
    actions.RETURN: ReturnForm,
    actions.UNPUBLISH: UnpublishForm,
}


class AttachmentForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    file = forms.FileField(
        label=_("File"), widget=forms.ClearableFileInput(attrs={"accept": actions.ATTACHMENT_ACCEPT})
    )


class ArticleFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), max_length=MAX_QUERY_LENGTH, required=False)
    typ = forms.ChoiceField(label=_("Type"), required=False)
    publikum = forms.ChoiceField(label=_("For whom"), required=False)
    kategorie = forms.ChoiceField(label=_("Topic"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        everything = [("", _("all"))]
        self.fields["typ"].choices = everything + list(Article.Kind.choices)
        self.fields["publikum"].choices = everything + list(Audience.choices)
        self.fields["kategorie"].choices = everything + list(Category.choices)
