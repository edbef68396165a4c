"""The collection conversation as a pure function: state + input -> state + replies + effects.

No database, clock, network or channel library here. The caller loads the state,
calls `step`, stores the effects and the new state in one transaction, and
delivers the replies. Rules follow the WTfC method: three questions, answers in
the person's own words, top two per category, nothing they wrote is lost.

Each phase of the conversation is one row of `PHASE_RULES` (at the end of this
module): what it accepts, the handler for an answer, the question it asks, the
keywords that act in it, where BACK goes and what BACK undoes first. What works
in every phase (STOP, DELETE, the RESTART/DELETE/LANGUAGE questions, a language's
own name) is in `_Turn.run`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from bot import answers, keywords, parsing, questions
from bot.keywords import Keyword
from bot.model import (
    CATEGORIES,
    Category,
    Completed,
    Consented,
    Context,
    Declined,
    Discarded,
    Disclosed,
    Effect,
    EraseRequested,
    Expired,
    FollowUp,
    Group,
    Inbound,
    OptedIn,
    OptedOut,
    RemoveStatement,
    Reopened,
    Reply,
    SetLanguage,
    SetPerspective,
    SetPicks,
    SetSegment,
    Step,
)
from bot.state import Phase, State

PERSPECTIVES = ("person", "carer")
_PERSPECTIVE_WORDS = {
    # English
    "me": 1,
    "myself": 1,
    "self": 1,
    "for me": 1,
    "carer": 2,
    "family": 2,
    "a carer": 2,
    # Welsh
    "fi": 1,
    "fy hun": 1,
    "gofalwr": 2,
    "gofalydd": 2,
    "teulu": 2,
    # Polish
    "ja": 1,
    "za siebie": 1,
    "dla siebie": 1,
    "opiekun": 2,
    "opiekunka": 2,
    "rodzina": 2,
    # Urdu (script and Roman)
    "میں": 1,
    "خود": 1,
    "اپنے لیے": 1,
    "khud": 1,
    "main": 1,
    "گھر والے": 2,
    "نگہداشت کرنے والا": 2,
    "ghar wale": 2,
}
"""Words people use for "for myself" (1) or "as a carer or family member" (2)."""


def step(state_data: dict[str, Any] | None, inbound: Inbound, context: Context) -> Step:
    """Run one input through the conversation and say what happened."""
    state = State.from_dict(state_data)
    if inbound.kind == "button" and inbound.turn is not None and inbound.turn != state.turn:
        return Step(state=state.to_dict(), stale=True)
    turn = _Turn(state, context)
    turn.run(inbound)
    return Step(
        state=turn.state.to_dict(), replies=tuple(turn.replies), effects=tuple(turn.effects)
    )


@dataclass
class _Turn:
    """One step's working space: the state it mutates and what it has said and done."""

    state: State
    ctx: Context
    replies: list[Reply] = field(default_factory=list)
    effects: list[Effect] = field(default_factory=list)

    # ---- plumbing --------------------------------------------------------------------------

    def say(self, key: str, **params: str | int) -> None:
        self.replies.append(Reply(key=key, params=tuple(params.items()), turn=self.state.turn))

    def say_reply(self, reply: Reply) -> None:
        self.replies.append(replace(reply, turn=self.state.turn))

    def do(self, effect: Effect) -> None:
        self.effects.append(effect)

    @property
    def rule(self) -> PhaseRule:
        return PHASE_RULES[self.state.phase]

    @property
    def category(self) -> Category:
        return self.state.current_category

    # ---- entry -----------------------------------------------------------------------------

    def run(self, inbound: Inbound) -> None:
        state, ctx = self.state, self.ctx
        state.turn += 1
        if state.language not in ctx.languages and ctx.languages:
            state.language = ctx.languages[0]
        text = parsing.clean(inbound.text)
        if inbound.kind == "expire":
            if state.active:
                self.do(Expired())
            return
        if inbound.kind == "reminder":
            if state.active and ctx.collecting and not ctx.opted_out:
                self.say("reminder")
                self.prompt()
            return
        keyword = keywords.match(text, state.language)
        if ctx.opted_out:
            if keyword in ("START", "YES"):
                self.do(OptedIn())
                self.welcome_back()
            return  # after STOP nothing is sent, whatever they write
        if keyword == "STOP":
            self.do(OptedOut())
            self.say("stopped")
            return
        if state.phase == "erased":
            state.phase = "new"
        if keyword == "DELETE" and not self.rule.opens:
            state.aside = "delete"
            self.say_reply(questions.yes_no("ask_delete"))
            return
        if not ctx.collecting:
            self.say("closed")
            return
        if state.aside is not None and self.answer_aside(text, keyword):
            return
        if inbound.kind == "media":
            self.say("no_media")
            if not parsing.has_words(text):
                self.prompt()
                return
        if inbound.kind == "rejoin":
            self.welcome_back()
            return
        rule = self.rule
        if rule.opens:
            rule.answer(self, text)
            return
        if self.switch_language(text):
            return
        action = rule.keywords.get(keyword) if keyword is not None else None
        if action is not None:
            action(self)
        else:
            rule.answer(self, text)

    # ---- keywords that work at any step (see _ANYWHERE) ------------------------------------

    def help(self) -> None:
        self.say("help")
        self.prompt()

    def welcome_back(self) -> None:
        self.say("welcome_back")
        self.prompt()

    def ask_language(self) -> None:
        if len(self.ctx.languages) > 1:
            self.state.aside = "language"
            self.say_reply(questions.language_menu(self.ctx))
        else:
            self.say("one_language")
            self.prompt()

    def ask_restart(self) -> None:
        self.state.aside = "restart"
        self.say_reply(questions.yes_no("ask_restart"))

    def switch_language(self, text: str) -> bool:
        language = keywords.language_word(text)
        if language is None or language not in self.ctx.languages:
            return False
        self.set_language(language)
        return True

    def set_language(self, language: str) -> None:
        self.state.language = language
        self.do(SetLanguage(language))
        self.say("carry_on")
        self.prompt()

    def answer_aside(self, text: str, keyword: Keyword | None) -> bool:
        """Answer a pending RESTART, DELETE or LANGUAGE question.

        Anything that is not an answer cancels the question and is handled as a
        normal message, so nothing a person writes is lost.
        """
        state = self.state
        aside, state.aside = state.aside, None
        if aside == "restart" and keyword == "YES":
            self.do(Discarded())
            keep_language = state.language
            self.state = state = State(turn=state.turn, language=keep_language)
            state.phase = "perspective"
            self.say("restarted")
            self.prompt()
            return True
        if aside == "delete" and keyword == "YES":
            self.do(EraseRequested())
            self.state = State(turn=state.turn, phase="erased")
            self.say("deleted")
            return True
        if aside == "language":
            chosen = _choice(text, len(self.ctx.languages))
            language = self.ctx.languages[chosen - 1] if chosen else keywords.language_word(text)
            if language in self.ctx.languages and language is not None:
                self.set_language(language)
                return True
        if keyword in ("NO", "BACK"):
            self.say("carry_on")
            self.prompt()
            return True
        return False

    # ---- the steps -------------------------------------------------------------------------

    def welcome(self, text: str = "") -> None:
        ctx = self.ctx
        self.state.phase = "consent"
        self.say("welcome", name=ctx.name, purpose=ctx.purpose)
        self.prompt()
        others = [c for c in ctx.languages if c != self.state.language]
        if others:
            self.say("offer_languages", words=", ".join(keywords.own_word(c) for c in others))

    def ask_again(self, text: str = "") -> None:
        """Not an answer this step takes: ask its question again."""
        self.prompt()

    def consent(self) -> None:
        self.do(Consented(self.ctx.consent_version))
        self.state.phase = "perspective"
        self.prompt()

    def decline(self) -> None:
        self.do(Declined())
        self.state.phase = "declined"
        self.say("declined")

    def answer_perspective(self, text: str) -> None:
        chosen = _choice(text, 2) or _PERSPECTIVE_WORDS.get(keywords.normalise(text))
        if not chosen:
            self.need_words_or_prompt(text)
            return
        self.state.perspective = PERSPECTIVES[chosen - 1]
        self.do(SetPerspective(self.state.perspective))
        self.after_perspective()

    def skip_perspective(self) -> None:
        self.do(SetPerspective(None))
        self.after_perspective()

    def after_perspective(self) -> None:
        if self.ctx.segments:
            self.state.phase = "segment"
            self.prompt()
        else:
            self.open_category("working")

    def answer_segment(self, text: str) -> None:
        chosen = _choice(text, len(self.ctx.segments))
        if not chosen:
            self.need_words_or_prompt(text)
            return
        self.state.segment = self.ctx.segments[chosen - 1]
        self.do(SetSegment(self.state.segment))
        self.open_category("working")

    def skip_segment(self) -> None:
        self.do(SetSegment(None))
        self.open_category("working")

    def open_category(self, category: Category) -> None:
        state = self.state
        state.phase, state.category, state.first_pick, state.ticked = "collect", category, None, []
        if state.count(category) >= self.ctx.max_statements:
            self.finish_category()
            return
        self.prompt()

    def add_statements(self, text: str) -> None:
        items = parsing.split_statements(text)
        if not items:
            self.need_words_or_prompt(text)
            return
        category = self.category
        previews = self.state.statements[category]
        disclosed = False
        for item in items:
            previews.append(parsing.preview(item))
            added = answers.statement_effects(category, len(previews), item, self.ctx.safeguarding)
            self.effects.extend(added)
            disclosed = disclosed or any(isinstance(e, Disclosed) for e in added)
        if disclosed and not self.state.safeguarding_told:
            # Once per conversation, before the usual next prompt: the conversation goes on.
            self.state.safeguarding_told = True
            self.say("safeguarding_help", centre=self.ctx.safeguarding_help)
        if len(previews) >= self.ctx.max_statements:
            self.say("got_last_statement")
            self.finish_category()
        else:
            self.say_reply(
                Reply(
                    key="got_statement",
                    params=(("count", len(previews)),),
                    buttons=questions.DONE_SKIP[:1],
                )
            )

    def finish_category(self) -> None:
        """Move on from a category: picks are asked only when there is a choice to make."""
        state, category = self.state, self.category
        own = answers.own_picks(state.count(category))
        if own is None:
            state.phase, state.first_pick, state.ticked = "pick", None, []
            self.prompt()
            return
        self.store_picks(own)
        self.next_step()

    def store_picks(self, positions: tuple[int, ...]) -> None:
        self.state.picks[self.category] = list(positions)
        self.do(SetPicks(self.category, positions))

    def next_step(self) -> None:
        state = self.state
        index = CATEGORIES.index(self.category)
        if state.changing or index == len(CATEGORIES) - 1:
            state.changing = False
            state.phase, state.category = "summary", None
            self.prompt()
        else:
            self.open_category(CATEGORIES[index + 1])

    def answer_pick(self, text: str) -> None:
        state = self.state
        count = state.count(self.category)
        upper = text.upper()
        if upper.startswith("TICK "):
            self.toggle(upper[5:].strip(), count)
            return
        if upper == "CONFIRM":
            self.confirm_picks(edit=True)
            return
        found = parsing.numbers(text)
        if found is None:
            self.say_reply(questions.pick(state, self.ctx, key="pick_invalid"))
            return
        if state.first_pick is not None and len(found) == 1:
            found = [state.first_pick, *found]
        valid = all(1 <= n <= count for n in found) and len(set(found)) == len(found)
        if valid and len(found) == 2:
            self.store_picks((found[0], found[1]))
            self.next_step()
        elif valid and len(found) == 1:
            state.first_pick = found[0]
            self.say("ask_second_pick")
        else:
            state.first_pick = None
            self.say_reply(questions.pick(state, self.ctx, key="pick_invalid"))

    def skip_picks(self) -> None:
        self.store_picks(())
        self.next_step()

    def confirm_picks(self, edit: bool = False) -> None:
        """DONE, or the picker's CONFIRM button: the two ticked items are the picks."""
        if len(self.state.ticked) == 2:
            self.store_picks(tuple(self.state.ticked))
            self.next_step()
        else:
            self.say_reply(questions.pick(self.state, self.ctx, edit=edit))

    def toggle(self, value: str, count: int) -> None:
        ticked = self.state.ticked
        if value.isdigit() and 1 <= int(value) <= count:
            number = int(value)
            if number in ticked:
                ticked.remove(number)
            else:
                ticked.append(number)
                del ticked[:-2]
        self.say_reply(questions.pick(self.state, self.ctx, edit=True))

    def confirm_summary(self) -> None:
        state = self.state
        first_time = not state.completed
        state.completed = True
        self.do(Completed())
        if first_time and self.ctx.can_follow_up:
            state.phase = "followup"
            self.prompt()
        else:
            state.phase = "done"
            self.say("goodbye")

    def start_change(self) -> None:
        if self.state.phase == "done":
            self.do(Reopened())
        self.state.phase = "change"
        self.prompt()

    def answer_change(self, text: str) -> None:
        chosen = _choice(text, len(CATEGORIES))
        if not chosen:
            self.prompt()
            return
        category = CATEGORIES[chosen - 1]
        self.state.changing = True
        existing = self.state.statements[category]
        if existing:
            self.say_reply(Reply(key="you_said", groups=(Group(items=tuple(existing)),)))
        self.open_category(category)

    def follow_up(self) -> None:
        self.answer_followup(True)

    def no_follow_up(self) -> None:
        self.answer_followup(False)

    def answer_followup(self, wanted: bool) -> None:
        self.do(FollowUp(wanted))
        self.state.phase = "done"
        self.say("goodbye")

    # ---- BACK ------------------------------------------------------------------------------

    def back(self) -> None:
        """Undo the last thing said in this step, else go back where the phase's rule says."""
        rule = self.rule
        if rule.undo is not None and rule.undo(self):
            return
        target = rule.back
        if target is None:
            self.say("nothing_to_undo")
            self.prompt()
        elif target == "previous category":
            self.step_back_from(CATEGORIES.index(self.category))
        elif target == "last category":
            self.step_back_from(len(CATEGORIES))
        else:
            self.state.phase = target
            if target == "collect":  # back from the picks: show the statements to choose from
                self.say_reply(questions.statement_list(self.state))
            self.prompt()

    def undo_statement(self) -> bool:
        """Take back the category's last statement, if it has one."""
        category = self.category
        previews = self.state.statements[category]
        if not previews:
            return False
        removed = previews.pop()
        self.do(RemoveStatement(category, len(previews) + 1))
        self.say("removed_last", text=removed)
        self.prompt()
        return True

    def undo_first_pick(self) -> bool:
        """Forget the first of two picks given one at a time, if there is one."""
        if self.state.first_pick is None:
            return False
        self.state.first_pick = None
        self.prompt()
        return True

    def step_back_from(self, index: int) -> None:
        """Go back to the category before `index` (or to the questions about the person)."""
        state = self.state
        if index == 0:
            state.phase = "segment" if self.ctx.segments else "perspective"
            state.category = None
            self.prompt()
            return
        previous = CATEGORIES[index - 1]
        state.category = previous
        self.store_picks(())
        if answers.own_picks(state.count(previous)) is None:
            state.phase, state.first_pick, state.ticked = "pick", None, []
        else:
            state.phase = "collect"
            if state.count(previous):
                self.say_reply(questions.statement_list(state))
        self.prompt()

    # ---- prompts ---------------------------------------------------------------------------

    def need_words_or_prompt(self, text: str) -> None:
        if not parsing.has_words(text):
            self.say("need_words")
        self.prompt()

    def prompt(self) -> None:
        """Ask the current question again (after HELP, a re-prompt, a reminder...)."""
        ask = self.rule.ask
        if ask is not None:
            self.say_reply(ask(self.state, self.ctx))


# ---- the phases ----------------------------------------------------------------------------

Answer = Callable[[_Turn, str], None]
"""What a phase does with a message that is no keyword acting in it."""
Action = Callable[[_Turn], None]
"""What a keyword does."""
Question = Callable[[State, Context], Reply]
BackTo = Literal["perspective", "collect", "summary", "previous category", "last category"]
"""A phase BACK returns to, or the category before this one, or the last category."""


@dataclass(frozen=True)
class PhaseRule:
    """How one phase of the conversation takes a message."""

    accepts: str
    """What a message is taken as here, in words (the handlers below do it)."""
    answer: Answer
    ask: Question | None
    """The question the phase asks (again after HELP, a reminder, a re-prompt); None: silence."""
    keywords: Mapping[Keyword, Action]
    """The keywords that act here. Any other keyword is an ordinary answer. STOP and
    DELETE act everywhere (DELETE not before the welcome): `_Turn.run`."""
    back: BackTo | None = None
    """Where BACK goes once there is nothing to undo; None: nothing to undo, ask again."""
    undo: Callable[[_Turn], bool] | None = None
    """What BACK takes back first, in this phase (False when there is nothing)."""
    opens: bool = False
    """Any message, keyword or not, only opens the conversation with the welcome."""


_ANYWHERE: dict[Keyword, Action] = {
    "HELP": _Turn.help,
    "START": _Turn.welcome_back,
    "LANGUAGE": _Turn.ask_language,
    "RESTART": _Turn.ask_restart,
    "BACK": _Turn.back,
    "CHANGE": _Turn.ask_again,  # only the summary, or after taking part, has answers to change
}
"""Keywords that act in every phase of the conversation proper."""

_NOT_RESTART: dict[Keyword, Action] = {k: v for k, v in _ANYWHERE.items() if k != "RESTART"}
"""Before taking part there is nothing to start again: RESTART is just not YES."""

_CONSENT: dict[Keyword, Action] = {**_NOT_RESTART, "YES": _Turn.consent, "NO": _Turn.decline}

PHASE_RULES: dict[Phase, PhaseRule] = {
    "new": PhaseRule(
        accepts="any first message: the welcome and the consent question",
        answer=_Turn.welcome,
        ask=questions.consent,
        keywords={},
        opens=True,
    ),
    "consent": PhaseRule(
        accepts="YES to take part, NO to decline",
        answer=_Turn.ask_again,
        ask=questions.consent,
        keywords=_CONSENT,
    ),
    "declined": PhaseRule(
        accepts="YES to take part after all (or NO again)",
        answer=_Turn.ask_again,
        ask=questions.consent,
        keywords=_CONSENT,
    ),
    "perspective": PhaseRule(
        accepts="1 for myself or 2 as a carer or family member (or words saying so); SKIP",
        answer=_Turn.answer_perspective,
        ask=questions.perspective,
        keywords={**_ANYWHERE, "SKIP": _Turn.skip_perspective},
    ),
    "segment": PhaseRule(
        accepts="the number of one of the programme's groups; SKIP",
        answer=_Turn.answer_segment,
        ask=questions.segment,
        keywords={**_ANYWHERE, "SKIP": _Turn.skip_segment},
        back="perspective",
    ),
    "collect": PhaseRule(
        accepts="statements in the person's own words; DONE or SKIP to move on",
        answer=_Turn.add_statements,
        ask=questions.statements,
        keywords={**_ANYWHERE, "DONE": _Turn.finish_category, "SKIP": _Turn.finish_category},
        back="previous category",
        undo=_Turn.undo_statement,
    ),
    "pick": PhaseRule(
        accepts="two numbers from the list (or one then another), or ticks and CONFIRM; SKIP",
        answer=_Turn.answer_pick,
        ask=questions.pick,
        keywords={**_ANYWHERE, "SKIP": _Turn.skip_picks, "DONE": _Turn.confirm_picks},
        back="collect",
        undo=_Turn.undo_first_pick,
    ),
    "summary": PhaseRule(
        accepts="YES if the summary is right; NO or CHANGE to change something",
        answer=_Turn.ask_again,
        ask=questions.summary,
        keywords={
            **_ANYWHERE,
            "YES": _Turn.confirm_summary,
            "NO": _Turn.start_change,
            "CHANGE": _Turn.start_change,
        },
        back="last category",
    ),
    "change": PhaseRule(
        accepts="the number of the question to change",
        answer=_Turn.answer_change,
        ask=questions.change,
        keywords=_ANYWHERE,
        back="summary",
    ),
    "followup": PhaseRule(
        accepts="YES or NO to a message later about what changes",
        answer=_Turn.ask_again,
        ask=questions.followup,
        keywords={**_ANYWHERE, "YES": _Turn.follow_up, "NO": _Turn.no_follow_up},
    ),
    "done": PhaseRule(
        accepts="nothing more; CHANGE reopens the answers",
        answer=_Turn.ask_again,
        ask=questions.already_done,
        keywords={**_ANYWHERE, "CHANGE": _Turn.start_change},
    ),
    "erased": PhaseRule(
        accepts="any message: it starts afresh, as a new conversation",
        answer=_Turn.welcome,
        ask=None,
        keywords={},
        opens=True,
    ),
}


def _choice(text: str, options: int) -> int | None:
    """A single number from 1 to `options`, or None."""
    found = parsing.numbers(text)
    if found and len(found) == 1 and 1 <= found[0] <= options:
        return found[0]
    return None
