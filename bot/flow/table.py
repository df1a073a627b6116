"""The table of steps: every StepId and the Step that owns it (adding a step = one class + one row)."""

from __future__ import annotations

from types import MappingProxyType

from bot.flow.base import Step
from bot.flow.entry import NoneStep
from bot.flow.fees import FeeBandStep, FeePruStep, FeePupilsStep
from bot.flow.identity import ConsentStep, NameStep, RoleStep, SchoolPickStep, SchoolStep, SchoolTypeStep
from bot.flow.questions import CommentStep, ConfirmCommentStep, QuestionStep
from bot.flow.review import ConfirmSubmitStep, ReviewStep
from bot.flow.side import AskStep, ConfirmEraseStep
from bot.flow.state import StepId

_ALL: tuple[Step, ...] = (
    NoneStep(),
    SchoolStep(),
    SchoolPickStep(),
    SchoolTypeStep(),
    RoleStep(),
    NameStep(),
    ConsentStep(),
    QuestionStep(),
    CommentStep(),
    ConfirmCommentStep(),
    ReviewStep(),
    ConfirmSubmitStep(),
    FeeBandStep(),
    FeePruStep(),
    FeePupilsStep(),
    AskStep(),
    ConfirmEraseStep(),
)
STEPS: MappingProxyType[StepId, Step] = MappingProxyType({step.id: step for step in _ALL})
