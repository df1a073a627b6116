"""Steps asking the respondent's details once: school, school_pick, school_type, role, name, consent."""

from __future__ import annotations

from typing import Any

from bot._actions import Action
from bot._messages import Button, Outbound
from bot._schools import is_clear, match_schools
from bot._text import match_option, options_starting, parse_yes_no
from bot.flow.base import Step
from bot.flow.faq import reply_to_question
from bot.flow.questions import first_unanswered
from bot.flow.review import show_review
from bot.flow.state import SchoolPick, StepId
from bot.flow.turn import IDENTITY_STEPS, MAX_NAME_CHARS, Turn
from content import Option

MAX_SCHOOL_CHARS = 200


def after_identity_step(turn: Turn, done: StepId) -> list[Outbound]:
    """The next identity step still needed, or (details complete) the first unanswered question."""
    if turn.session.after_review:
        turn.session.after_review = False
        return show_review(turn)
    for step in IDENTITY_STEPS[IDENTITY_STEPS.index(done) + 1 :]:
        if step == StepId.SCHOOL_TYPE and (turn.respondent or {}).get("school_urn"):
            continue  # the directory told us the type
        turn.goto(step)
        return turn.prompt()
    turn.goto(StepId.NONE)
    return [Outbound(turn.say("identity_done")), *first_unanswered(turn)]


class IdentityStep(Step):
    """What identity steps share: back to the previous detail, nothing to skip, 'your details'."""

    def back(self, turn: Turn) -> list[Outbound]:
        index = IDENTITY_STEPS.index(self.id)
        if index == 0:
            return turn.again("first_question")
        turn.goto(IDENTITY_STEPS[index - 1])
        return turn.prompt()

    def where(self, turn: Turn) -> str:
        return turn.say("where_details")


class SchoolStep(IdentityStep):
    """Which school: typed, then matched against the directory."""

    id = StepId.SCHOOL
    leads_to = (StepId.SCHOOL_PICK, StepId.SCHOOL_TYPE, StepId.ROLE)

    def prompt(self, turn: Turn, fresh: bool) -> list[Outbound]:
        return [Outbound(turn.say("ask_school"))]

    def on_text(self, turn: Turn, text: str) -> list[Outbound]:
        if text.endswith("?"):
            return reply_to_question(turn, text)
        if len(text) > MAX_SCHOOL_CHARS or len(text) < 2:
            return turn.again("school_length", limit=MAX_SCHOOL_CHARS)
        if _not_a_name(turn, text):
            return turn.again("school_not_a_name")  # "ok", "yes", "42": not a school's name
        matches = match_schools(text, turn.store.schools())
        if not matches:
            turn.update_respondent(school=text, school_urn=None, school_type=None, pupils=None)
            return after_identity_step(turn, StepId.SCHOOL)
        chosen = matches[:1] if is_clear(matches) else matches
        turn.goto(StepId.SCHOOL_PICK)
        turn.session.school_pick = SchoolPick(text, [m.school["urn"] for m in chosen])
        return turn.prompt()


class SchoolPickStep(IdentityStep):
    """'Is it <school>?' (one clear match) or a choice of directory schools, or 'none of these'."""

    id = StepId.SCHOOL_PICK
    leads_to = (StepId.SCHOOL, StepId.SCHOOL_TYPE, StepId.ROLE)

    def found(self, turn: Turn) -> list[dict[str, Any]]:
        """The candidate schools still in the directory."""
        pick = turn.session.school_pick
        rows = (turn.store.school(urn) for urn in (pick.candidates if pick else []))
        return [row for row in rows if row]

    def prompt(self, turn: Turn, fresh: bool) -> list[Outbound]:
        found = self.found(turn)
        none = Button(
            turn.say("button_school_no" if len(found) == 1 else "button_school_none"), turn.act("id", "school", "none")
        )
        if len(found) == 1:
            yes = Button(turn.say("button_school_yes"), turn.act("id", "school", found[0]["urn"]))
            return [Outbound(turn.say("confirm_school", school=found[0]["name"]), [yes, none])]
        buttons = [Button(f["name"][:60], turn.act("id", "school", f["urn"])) for f in found]
        return [Outbound(turn.say("pick_school"), [*buttons, none])]

    def on_text(self, turn: Turn, text: str) -> list[Outbound]:
        candidates = turn.session.school_pick.candidates if turn.session.school_pick else []
        if len(candidates) == 1:
            index = match_option(text, [turn.say("button_school_yes"), turn.say("button_school_no")])
            typed = parse_yes_no(text) if index is None else None
            if typed is not None:
                index = 0 if typed else 1
        else:
            names = [(turn.store.school(urn) or {}).get("name", "") for urn in candidates]
            index = match_option(text, [*names, turn.say("button_school_none")])
        if index is None:
            turn.goto(StepId.SCHOOL)
            return turn.step.on_text(turn, text)
        return self.pick(turn, candidates[index] if index < len(candidates) else "none")

    def on_action(self, turn: Turn, action: Action) -> list[Outbound] | None:
        if action.verb == "id" and action.args[0] == "school":
            return self.pick(turn, action.args[1])
        return None

    def pick(self, turn: Turn, urn: str) -> list[Outbound]:
        """A directory school confirmed (or 'none': keep what was typed)."""
        pick = turn.session.school_pick or SchoolPick("", [])
        if urn == "none":
            turn.session.school_pick = None
            turn.update_respondent(school=pick.typed, school_urn=None, school_type=None, pupils=None)
            return after_identity_step(turn, StepId.SCHOOL)
        found = turn.store.school(urn) if urn in pick.candidates else None
        if found is None:
            return turn.again("stale_button")
        turn.session.school_pick = None
        school_types = turn.content.consultation.identity.school_types
        school_type = next((o.id for o in school_types if o.fee_band == found["fee_band"]), None)
        turn.update_respondent(
            school=found["name"], school_urn=found["urn"], school_type=school_type, pupils=found["pupils"]
        )
        return after_identity_step(turn, StepId.SCHOOL)

    def back(self, turn: Turn) -> list[Outbound]:
        turn.goto(StepId.SCHOOL)
        return turn.prompt()


class OptionStep(IdentityStep):
    """A detail chosen from the content's options: school type, role, or quoting consent."""

    field: str  # the button's field name
    column: str  # the respondent column it fills

    def options(self, turn: Turn) -> list[Option]:
        """The options, in the content's order."""
        identity = turn.content.consultation.identity
        return list(
            {"type": identity.school_types, "role": identity.roles, "consent": identity.quote_consent}[self.field]
        )

    def prompt(self, turn: Turn, fresh: bool) -> list[Outbound]:
        buttons = [Button(o.label, turn.act("id", self.field, o.id)) for o in self.options(turn)]
        school = (turn.respondent or {}).get("school") or ""
        return [Outbound(turn.say(f"ask_{self.id}", school=school), buttons)]

    def on_text(self, turn: Turn, text: str) -> list[Outbound]:
        options = self.options(turn)
        labels = [o.label for o in options]
        index = match_option(text, labels)
        if index is not None:
            return self.choose(turn, options[index].id)
        several = options_starting(text, labels)
        if len(several) > 1:  # "yes" at the quoting question: which kind of yes?
            listed = " or ".join(f"{i + 1} {labels[i]}" for i in several)
            return turn.again("which_option", options=listed)
        if not text.endswith("?") and len(text.split()) <= 4:
            return turn.again("pick_option")
        return reply_to_question(turn, text)

    def on_action(self, turn: Turn, action: Action) -> list[Outbound] | None:
        if action.verb != "id" or action.args[0] != self.field:
            return None
        if action.args[1] not in {o.id for o in self.options(turn)}:
            return turn.again("unknown_action")
        return self.choose(turn, action.args[1])

    def choose(self, turn: Turn, value: str) -> list[Outbound]:
        """Store the chosen option and move on."""
        turn.update_respondent(**{self.column: value})
        return after_identity_step(turn, self.id)


class SchoolTypeStep(OptionStep):
    """The school's type (also its fee band); skipped when the directory gave it."""

    id, field, column = StepId.SCHOOL_TYPE, "type", "school_type"
    leads_to = (StepId.ROLE,)


class RoleStep(OptionStep):
    """The respondent's role."""

    id, field, column = StepId.ROLE, "role", "role"
    leads_to = (StepId.NAME,)


class ConsentStep(OptionStep):
    """Whether comments may be quoted (named, anonymously, not at all)."""

    id, field, column = StepId.CONSENT, "consent", "quote_consent"
    leads_to = (StepId.QUESTION, StepId.REVIEW)


class NameStep(IdentityStep):
    """The respondent's name: optional, or their chat display name with one tap."""

    id = StepId.NAME
    leads_to = (StepId.CONSENT,)

    def prompt(self, turn: Turn, fresh: bool) -> list[Outbound]:
        buttons = []
        if turn.display_name:
            label = turn.say("button_use_name", name=turn.display_name[:30])
            buttons.append(Button(label, turn.act("id", "name", "display")))
        buttons.append(Button(turn.say("button_skip_name"), turn.act("id", "name", "skip")))
        return [Outbound(turn.say("ask_name"), buttons)]

    def on_text(self, turn: Turn, text: str) -> list[Outbound]:
        if text.endswith("?"):
            return reply_to_question(turn, text)
        options = [turn.display_name, None] if turn.display_name else [None]
        labels = [turn.say("button_use_name", name=turn.display_name[:30])] if turn.display_name else []
        chosen = match_option(text, [*labels, turn.say("button_skip_name")]) if text.strip().isdigit() else None
        if chosen is not None:  # "1": the option of that number, as at every other step
            return self.set_name(turn, options[chosen])
        if _not_a_name(turn, text):
            return turn.again("name_not_a_name")  # "ok", "5": not a name (Skip is the button for none)
        return self.set_name(turn, text)

    def on_action(self, turn: Turn, action: Action) -> list[Outbound] | None:
        if action.verb != "id" or action.args[0] != "name":
            return None
        if action.args[1] == "skip":
            return self.set_name(turn, None)
        if action.args[1] == "display" and turn.display_name:
            return self.set_name(turn, turn.display_name)
        return turn.again("unknown_action")

    def skip(self, turn: Turn) -> list[Outbound]:
        return self.set_name(turn, None)

    def set_name(self, turn: Turn, name: str | None) -> list[Outbound]:
        """Store the name (None: not given) and move on."""
        if name is not None and len(name) > MAX_NAME_CHARS:
            return turn.again("name_length", limit=MAX_NAME_CHARS)
        turn.update_respondent(name=name)
        return after_identity_step(turn, StepId.NAME)


def _not_a_name(turn: Turn, text: str) -> bool:
    """ "ok", "yes", "thanks", "42": typed where a name is asked for, not a name."""
    return not any(c.isalpha() for c in text) or turn.engine.choices.says_nothing(text)
