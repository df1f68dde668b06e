"""Form pieces shared by features."""

from wtforms import SelectMultipleField, widgets


class MultiCheckboxField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class MarkRequired:
    """Marks a field as required in the page (the * after its label) without validating it:
    the service checks the value and explains what is wrong, in one place."""

    field_flags = {"required": True}

    def __call__(self, form, field):
        return None
