"""Django forms built from a catalogue item's fields (the portal's order page and the agents' request form)."""

from django import forms


def item_form_class(item, user):
    """A forms.Form subclass with one field per ItemField (named by ItemField.name, with its widget, help text,
    default and validation), whose cleaned_data are the variables validate_variables accepts; shown_when is
    carried as data-shown-when attributes for static/js/item-form.js."""
    return type("ItemForm", (forms.Form,), {})
