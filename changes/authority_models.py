"""Which change authority owns an approval stage of a change: the model's step and, for a board, the board
(the CAB agenda is built from the open stages a board owns). Written only by changes.authority."""

from django.db import models

from .models import AuthorityStep, Change, ChangeAdvisoryBoard


class AuthorisationStage(models.Model):
    stage = models.OneToOneField("core.ApprovalStage", on_delete=models.CASCADE, related_name="change_authority")
    change = models.ForeignKey(Change, on_delete=models.CASCADE, related_name="authorisation_stages")
    step = models.ForeignKey(AuthorityStep, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    board = models.ForeignKey(ChangeAdvisoryBoard, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="authorisation_stages")
    position = models.PositiveSmallIntegerField(default=1)  # 1-based index among the steps that applied

    class Meta:
        indexes = [models.Index(fields=["board", "change"], name="authorisation_stage_board")]
