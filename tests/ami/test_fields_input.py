"""Numbers typed by a visitor: ASCII digits only, refused with a French message otherwise, never a 500."""
import pytest
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse

from ami.forms.base import make_formfield
from ami.forms.fields import (
    COUNT_MESSAGE,
    DATE_MESSAGE,
    CountField,
    FrenchDateField,
    FrenchDecimalField,
    YearField,
)

UNICODE_DIGITS = ["²", "١٢", "１２", "٣٤٥", "𝟏𝟐", "12²", "Ⅻ", "½"]


@pytest.mark.parametrize("value", UNICODE_DIGITS + ["-1", "1e9", "NaN", "inf", "9" * 40, "9" * 5000, "1_000", "0x10"])
def test_count_refuses_anything_but_ascii_digits(value):
    form_field = CountField(required=False)
    with pytest.raises(ValidationError) as info:
        form_field.clean(value)
    assert info.value.messages == [COUNT_MESSAGE]


def test_count_accepts_french_thousands():
    assert CountField(required=False).clean("1 234") == 1234
    assert CountField(required=False).clean("1\u202f234") == 1234


@pytest.mark.parametrize("value", UNICODE_DIGITS + ["١,٥", "NaN", "Infinity", "1e3", "9" * 40])
def test_decimal_refuses_anything_but_ascii_digits(value):
    with pytest.raises(ValidationError):
        FrenchDecimalField(required=False).clean(value)


@pytest.mark.parametrize("value", ["٢٠٢٠", "２０２０", "20²0", "-2020"])
def test_year_refuses_unicode_digits(value):
    with pytest.raises(ValidationError) as info:
        YearField(required=False).clean(value)
    assert "quatre chiffres" in info.value.messages[0]


def test_date_refuses_unicode_digits_instead_of_converting_them():
    with pytest.raises(ValidationError) as info:
        FrenchDateField(required=False).clean("١٥/٠٣/٢٠٢٧")
    assert info.value.messages == [DATE_MESSAGE]
    assert str(FrenchDateField(required=False).clean("15/03/2027")) == "2027-03-15"


def test_small_integer_column_bounds_the_count():
    """PostgreSQL refuses 40000 in a smallint (a 500 if the form let it through): the form stops it first."""
    from django.db import connection

    field = make_formfield(models.PositiveSmallIntegerField(verbose_name="n"))
    bound = min(2_000_000_000, connection.ops.integer_field_range("PositiveSmallIntegerField")[1])
    if connection.vendor == "postgresql":
        assert bound == 32767
    assert field.clean(str(bound)) == bound
    with pytest.raises(ValidationError) as info:
        field.clean(str(bound + 1))
    assert f"inférieur ou égal à {bound:,}".replace(",", " ") in info.value.messages[0]


@pytest.mark.django_db
def test_unicode_digits_in_a_step_are_refused_next_to_the_field(referent, dossier):
    from .factories import step_post_data

    library = dossier.libraries.get()
    data = step_post_data(dossier, "bibliotheques")
    name = next(key for key in data if key.endswith("-books"))
    data[name] = "١٢"
    response = referent.post(reverse("ami:step", kwargs={"public_id": dossier.public_id, "slug": "bibliotheques"}), data)
    assert response.status_code in (200, 400)
    assert COUNT_MESSAGE in response.content.decode()
    library.refresh_from_db()
    assert library.books is None
