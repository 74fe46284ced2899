"""Service request management: the request catalogue (items, their forms and fulfilment plans), requests
(tickets, REQ…) and their fulfilment tasks (tickets, TASK…). Approvals are core's (shared with changes)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.approval_models import ApprovalRule
from core.models import Ticket


class RequestType(models.TextChoices):
    """The kinds of service request ITIL 4 names."""

    SERVICE_ACTION = "service_action", _("Request for a service delivery action")
    INFORMATION = "information", _("Request for information")
    PROVISION = "provision", _("Request for provision of a resource or service")
    ACCESS = "access", _("Request for access to a resource or service")
    FEEDBACK = "feedback", _("Feedback, compliments and complaints")


class Icon(models.TextChoices):
    """The catalogue's icons (inline SVG in templates/servicerequests/_icon.html)."""

    LAPTOP = "laptop", _("Laptop")
    SOFTWARE = "software", _("Software")
    KEY = "key", _("Key")
    LOCK = "lock", _("Lock")
    PERSON = "person", _("Person")
    INFO = "info", _("Information")
    CHAT = "chat", _("Speech bubble")
    PHONE = "phone", _("Phone")
    NETWORK = "network", _("Network")
    BOX = "box", _("Box")


class CatalogCategory(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    description = models.CharField(_("description"), max_length=255, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=100)

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("catalogue category")
        verbose_name_plural = _("catalogue categories")

    def __str__(self):
        return self.name


class CatalogItem(models.Model):
    """Something a requester may ask for, with its form (ItemField) and its fulfilment plan (ApprovalStep,
    TaskTemplate)."""

    name = models.CharField(_("name"), max_length=150)
    summary = models.CharField(_("summary"), max_length=255, blank=True,
                               help_text=_("One line shown in the catalogue."))
    description = models.TextField(_("description"), blank=True)
    category = models.ForeignKey(CatalogCategory, verbose_name=_("category"), on_delete=models.PROTECT,
                                 related_name="items")
    service = models.ForeignKey("slm.Service", verbose_name=_("service"), on_delete=models.PROTECT,
                                related_name="catalog_items")
    organizations = models.ManyToManyField(
        "core.Organization", verbose_name=_("offered to"), blank=True, related_name="catalog_items",
        help_text=_("Empty: every organization the service is offered to."))
    icon = models.CharField(_("icon"), max_length=20, choices=Icon.choices, default=Icon.BOX)
    request_type = models.CharField(_("request type"), max_length=20, choices=RequestType.choices,
                                    default=RequestType.PROVISION)
    team = models.ForeignKey("core.Team", verbose_name=_("fulfilment team"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+",
                             help_text=_("The team that owns the request while it is fulfilled."))
    needs_approval = models.BooleanField(
        _("needs approval"), default=True,
        help_text=_("Standard requests that need no approval go straight to fulfilment."))
    active = models.BooleanField(_("active"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=100)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["category__order", "order", "name"]
        verbose_name = _("catalogue item")
        verbose_name_plural = _("catalogue items")

    def __str__(self):
        return self.name


class FieldType(models.TextChoices):
    TEXT = "text", _("Text")
    LONG_TEXT = "long_text", _("Long text")
    NUMBER = "number", _("Number")
    CHOICE = "choice", _("Choice")
    MULTIPLE_CHOICE = "multiple_choice", _("Multiple choice")
    DATE = "date", _("Date")
    USER = "user", _("User")
    CONFIGURATION_ITEM = "configuration_item", _("Configuration item")
    ATTACHMENT = "attachment", _("Attachment")


class ItemField(models.Model):
    """One field of a catalogue item's form; a request's `variables` hold its value under `name`."""

    item = models.ForeignKey(CatalogItem, on_delete=models.CASCADE, related_name="fields")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    name = models.SlugField(_("name"), max_length=50, help_text=_("The variable's key: letters, digits, _ and -."))
    label = models.CharField(_("label"), max_length=150)
    type = models.CharField(_("type"), max_length=20, choices=FieldType.choices, default=FieldType.TEXT)
    required = models.BooleanField(_("required"), default=False)
    help_text = models.CharField(_("help text"), max_length=255, blank=True)
    default = models.CharField(_("default"), max_length=255, blank=True)
    choices = models.JSONField(_("choices"), default=list, blank=True,
                               help_text=_("The options of a choice or multiple-choice field."))
    min_value = models.DecimalField(_("minimum"), max_digits=15, decimal_places=4, null=True, blank=True,
                                    help_text=_("Smallest number, or shortest text length."))
    max_value = models.DecimalField(_("maximum"), max_digits=15, decimal_places=4, null=True, blank=True,
                                    help_text=_("Largest number, or longest text length."))
    pattern = models.CharField(_("pattern"), max_length=255, blank=True,
                               help_text=_("A regular expression the whole text must match."))
    shown_when_field = models.SlugField(_("shown when field"), max_length=50, blank=True,
                                        help_text=_("Show this field only when that field…"))
    shown_when_value = models.CharField(_("has the value"), max_length=255, blank=True)

    class Meta:
        ordering = ["order", "id"]
        constraints = [models.UniqueConstraint(fields=["item", "name"], name="item_field_name_unique")]
        verbose_name = _("form field")
        verbose_name_plural = _("form fields")

    def __str__(self):
        return self.label


class ApproverType(models.TextChoices):
    REQUESTER_MANAGER = "manager", _("The requester's manager")
    SERVICE_OWNER = "service_owner", _("The service owner")
    GROUP = "group", _("A named group")
    USER = "user", _("A user")


class ApprovalStep(models.Model):
    """One approval stage of an item's fulfilment plan; stages are asked in order, each after the last
    approved."""

    item = models.ForeignKey(CatalogItem, on_delete=models.CASCADE, related_name="approval_steps")
    order = models.PositiveSmallIntegerField(_("order"), default=1)
    approver = models.CharField(_("approver"), max_length=20, choices=ApproverType.choices)
    group = models.ForeignKey("core.Team", verbose_name=_("group"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+")
    rule = models.CharField(_("rule"), max_length=10, choices=ApprovalRule.choices, default=ApprovalRule.ANY)
    required = models.PositiveSmallIntegerField(_("approvals needed"), default=1,
                                                help_text=_("For “N of the approvers”: N."))

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("approval step")
        verbose_name_plural = _("approval steps")


class TaskTemplate(models.Model):
    """A fulfilment task the plan creates; tasks of the same stage run in parallel, stages in sequence."""

    item = models.ForeignKey(CatalogItem, on_delete=models.CASCADE, related_name="task_templates")
    stage = models.PositiveSmallIntegerField(_("stage"), default=1)
    title = models.CharField(_("title"), max_length=255)
    team = models.ForeignKey("core.Team", verbose_name=_("team"), on_delete=models.PROTECT, related_name="+")
    instructions = models.TextField(_("instructions"), blank=True)

    class Meta:
        ordering = ["stage", "id"]
        verbose_name = _("task template")
        verbose_name_plural = _("task templates")

    def __str__(self):
        return self.title


class ServiceRequest(Ticket):
    TICKET_KIND = "request"

    catalog_item = models.ForeignKey(CatalogItem, verbose_name=_("catalogue item"), on_delete=models.PROTECT,
                                     related_name="requests")
    request_type = models.CharField(_("request type"), max_length=20, choices=RequestType.choices)
    variables = models.JSONField(_("answers"), default=dict, blank=True)
    expected_by = models.DateTimeField(_("expected by"), null=True, blank=True)
    stage = models.PositiveSmallIntegerField(_("fulfilment stage"), default=0)
    rejection_reason = models.TextField(_("rejection reason"), blank=True)
    on_hold_reason = models.CharField(_("on-hold reason"), max_length=255, blank=True)
    resolution_notes = models.TextField(_("fulfilment notes"), blank=True)

    class Meta:
        verbose_name = _("service request")
        verbose_name_plural = _("service requests")


class Task(Ticket):
    """A piece of fulfilment work under a request (TASK…), a ticket with its own queue and SLA timers."""

    TICKET_KIND = "task"

    request = models.ForeignKey(ServiceRequest, verbose_name=_("request"), on_delete=models.CASCADE,
                                related_name="tasks")
    stage = models.PositiveSmallIntegerField(_("stage"), default=1)
    template = models.ForeignKey(TaskTemplate, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    resolution_notes = models.TextField(_("completion notes"), blank=True)

    class Meta:
        verbose_name = _("fulfilment task")
        verbose_name_plural = _("fulfilment tasks")
