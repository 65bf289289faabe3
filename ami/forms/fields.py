"""Form fields speaking French: counts, euro amounts, years, phone numbers, OUI/NON."""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

import phonenumbers
from django import forms
from django.core.exceptions import ValidationError

from core.parsing import parse_ascii_int

SPACES = re.compile(r"[\s\u00a0\u202f\u2009']+")

COUNT_MESSAGE = "Saisissez un nombre entier positif ou nul."
MONEY_MESSAGE = "Saisissez un montant en euros positif ou nul (par exemple 1 234,50)."
DECIMAL_MESSAGE = "Saisissez un nombre positif ou nul (par exemple 2,5)."
PHONE_MESSAGE = "Saisissez un numéro de téléphone valide (par exemple 03 20 21 22 23)."
DATE_MESSAGE = "Saisissez une date valide (par exemple 15/03/2027)."


def _compact(value) -> str:
    return SPACES.sub("", str(value)).strip()


class CountField(forms.Field):
    """A whole number ≥ 0; accepts « 1 234 »."""

    widget = forms.TextInput

    def __init__(self, *, max_value=2_000_000_000, **kwargs):
        self.max_value = max_value
        super().__init__(**kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        text = _compact(value)
        if not text:
            return None
        number = parse_ascii_int(text, max_digits=12)
        if number is None:  # Unicode digits ('²', '١') are refused, never converted
            raise ValidationError(COUNT_MESSAGE, code="invalid")
        if number > self.max_value:
            raise ValidationError(f"Saisissez un nombre inférieur ou égal à {self.max_value:,}.".replace(",", " "),
                                  code="max_value")
        return number

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.update({"inputmode": "numeric", "autocomplete": "off"})
        return attrs


class FrenchDecimalField(forms.Field):
    """A decimal number ≥ 0 with a French comma; accepts « 1 234,50 » and « 1234.5 € »."""

    widget = forms.TextInput
    message = DECIMAL_MESSAGE

    def __init__(self, *, max_value: Decimal | int = Decimal("9999999999.99"), decimal_places=2, message=None, **kwargs):
        self.max_value = Decimal(max_value)
        self.decimal_places = decimal_places
        if message:
            self.message = message
        super().__init__(**kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        text = _compact(value).replace("€", "").replace("EUR", "").replace(",", ".")
        if not text:
            return None
        if not re.fullmatch(r"[0-9]{1,12}(\.[0-9]{0,%s})?" % str(self.decimal_places), text):  # noqa: UP031
            raise ValidationError(self.message, code="invalid")
        try:
            number = Decimal(text.rstrip(".") or "0")
        except InvalidOperation as exc:  # pragma: no cover - regex guards this
            raise ValidationError(self.message, code="invalid") from exc
        if number > self.max_value:
            raise ValidationError(f"Saisissez une valeur inférieure ou égale à {format_decimal(self.max_value)}.",
                                  code="max_value")
        return number

    def prepare_value(self, value):
        if isinstance(value, Decimal):
            return format_decimal(value)
        return value

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.update({"inputmode": "decimal", "autocomplete": "off"})
        return attrs


class MoneyField(FrenchDecimalField):
    message = MONEY_MESSAGE


def format_decimal(value: Decimal) -> str:
    """1234.50 -> « 1234,50 »; 12.00 -> « 12 » (input-friendly, no thousands separator)."""
    text = f"{value:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", ",")


class YearField(CountField):
    def __init__(self, *, min_year=1950, max_year=2100, **kwargs):
        self.min_year, self.max_year = min_year, max_year
        super().__init__(max_value=max_year, **kwargs)

    def to_python(self, value):
        if value in self.empty_values or not _compact(value):
            return None
        text = _compact(value)
        year = parse_ascii_int(text, max_digits=4) if len(text) == 4 else None
        if year is None or not self.min_year <= year <= self.max_year:
            raise ValidationError(
                f"Saisissez une année sur quatre chiffres, entre {self.min_year} et {self.max_year}.", code="invalid"
            )
        return year


class PhoneField(forms.CharField):
    """A French (or international) phone number, stored in national format for France."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 30)
        super().__init__(**kwargs)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.update({"type": "tel", "autocomplete": "tel", "inputmode": "tel"})
        attrs.pop("maxlength", None)
        return attrs

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return ""
        try:
            number = phonenumbers.parse(value, "FR")
        except phonenumbers.NumberParseException as exc:
            raise ValidationError(PHONE_MESSAGE, code="invalid") from exc
        if not phonenumbers.is_valid_number(number):
            raise ValidationError(PHONE_MESSAGE, code="invalid")
        if phonenumbers.region_code_for_number(number) == "FR":
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)[:20]


YES_NO_CHOICES = [("true", "OUI"), ("false", "NON")]


def _to_bool(value):
    return {"true": True, "false": False}.get(value)


class YesNoField(forms.TypedChoiceField):
    """OUI / NON radio buttons; unanswered is None."""

    def __init__(self, **kwargs):
        kwargs.pop("choices", None)
        kwargs.pop("coerce", None)
        kwargs.pop("max_length", None)
        kwargs.setdefault("widget", forms.RadioSelect)
        kwargs.setdefault("required", False)
        super().__init__(choices=YES_NO_CHOICES, coerce=_to_bool, empty_value=None, **kwargs)

    def prepare_value(self, value):
        if value is True:
            return "true"
        if value is False:
            return "false"
        return value

    def has_changed(self, initial, data):  # pragma: no cover - not used for saving
        return self.prepare_value(initial) != data


class FrenchDateField(forms.DateField):
    input_formats = ["%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y", "%d.%m.%Y", "%d-%m-%Y"]
    default_error_messages = {"invalid": DATE_MESSAGE}

    def __init__(self, *, min_year=2000, max_year=2100, **kwargs):
        self.min_year, self.max_year = min_year, max_year
        kwargs.setdefault("widget", forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
        super().__init__(**kwargs)

    def to_python(self, value):
        if isinstance(value, str) and not value.strip().isascii():
            raise ValidationError(self.error_messages["invalid"], code="invalid")  # '١٥/٠٣/٢٠٢٧': ASCII digits only
        value = super().to_python(value)
        if value and not self.min_year <= value.year <= self.max_year:
            raise ValidationError(f"Saisissez une date entre {self.min_year} et {self.max_year}.", code="range")
        return value


EMAIL_MESSAGE = "Saisissez une adresse e-mail valide (par exemple nom@ville.fr)."


class FrenchEmailField(forms.EmailField):
    default_error_messages = {"invalid": EMAIL_MESSAGE}


URL_MESSAGE = "Saisissez une adresse web valide (par exemple https://www.ville.fr/)."


class FrenchURLField(forms.URLField):
    default_error_messages = {"invalid": URL_MESSAGE}

    def __init__(self, **kwargs):
        kwargs.setdefault("assume_scheme", "https")
        super().__init__(**kwargs)
