"""Form pieces shared by features."""

from flask_wtf import FlaskForm
from wtforms import SelectField, SelectMultipleField, StringField, widgets
from wtforms.widgets import DateInput

from corrections import clock
from corrections.labels import choices


class MultiCheckboxField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class MarkRequired:
    """Marks a field as required in the page (the * after its label) without validating it:
    the service checks the value and explains what is wrong, in one place."""

    field_flags = {"required": True}

    def __call__(self, form, field):
        return None


def DateString(label, today: bool = False, **kwargs) -> StringField:  # noqa: N802 (a field factory)
    """A date as a plain string in an ``<input type="date">``: the service parses it and
    explains a bad value in the user's language."""
    if today:
        kwargs.setdefault("default", lambda: clock.today().isoformat())
    return StringField(label, widget=DateInput(), **kwargs)


def EnumSelect(label, kind: str, blank=None, codes=None, **kwargs) -> SelectField:  # noqa: N802
    """A select of a labelled enum (corrections.labels); any value is accepted, the service checks."""
    return SelectField(
        label, choices=lambda: choices(kind, codes, blank), validate_choice=False, **kwargs
    )


class ServiceForm(FlaskForm):
    """``payload()``: the data dict a service function receives (field name = service key)."""

    skip: tuple[str, ...] = ()

    def payload(self) -> dict:
        data = {}
        for f in self:
            if f.type in ("CSRFTokenField", "SubmitField") or f.short_name in self.skip:
                continue
            data[f.short_name] = f.data.strip() if isinstance(f.data, str) else f.data
        return data
