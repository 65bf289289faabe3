from django import forms


class CodeForm(forms.Form):
    """The six-digit code shown by the authenticator app (spaces ignored)."""

    code = forms.CharField(
        label="Code à 6 chiffres",
        help_text="Le code affiché maintenant par votre application d’authentification.",
        max_length=12,
        error_messages={"required": "Saisissez le code à 6 chiffres affiché par votre application."},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )

    def clean_code(self):
        code = "".join(self.cleaned_data["code"].split())
        if len(code) != 6 or not code.isascii() or not code.isdigit():
            raise forms.ValidationError("Le code compte exactement 6 chiffres, par exemple 123456.")
        return code


def error_summary(form) -> list[dict]:
    items = [{"id": "", "label": "", "message": error} for error in form.non_field_errors()]
    for field in form:
        items.extend({"id": field.id_for_label, "label": field.label, "message": error} for error in field.errors)
    return items
