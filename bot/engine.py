"""The collection conversation as a pure function: state + input -> state + replies + effects.

No database, clock, network or channel library here. The caller loads the state,
calls `step`, stores the effects and the new state in one transaction, and
delivers the replies. Rules follow the WTfC method: three questions, answers in
the person's own words, top two per category, nothing they wrote is lost.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from bot import answers, keywords, parsing
from bot.messages import LANGUAGE_NAMES
from bot.model import (
    CATEGORIES,
    Button,
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
from bot.state import State

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
                self.say("welcome_back")
                self.prompt()
            return  # after STOP nothing is sent, whatever they write
        if keyword == "STOP":
            self.do(OptedOut())
            self.say("stopped")
            return
        if state.phase == "erased":
            state.phase = "new"
        if keyword == "DELETE" and state.phase != "new":
            state.aside = "delete"
            self.say_reply(_yes_no("ask_delete"))
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
            self.say("welcome_back")
            self.prompt()
            return
        if state.phase == "new":
            self.welcome()
            return
        if self.switch_language(text):
            return
        if keyword is not None and self.global_keyword(keyword):
            return
        self.answer(text, keyword)

    # ---- keywords that work at any step ----------------------------------------------------

    def global_keyword(self, keyword: keywords.Keyword) -> bool:
        """Handle HELP, LANGUAGE, RESTART, BACK, CHANGE, START; False if the step decides."""
        state = self.state
        if keyword == "HELP":
            self.say("help")
            self.prompt()
        elif keyword == "START":
            self.say("welcome_back")
            self.prompt()
        elif keyword == "LANGUAGE":
            if len(self.ctx.languages) > 1:
                state.aside = "language"
                self.say_reply(self.language_menu())
            else:
                self.say("one_language")
                self.prompt()
        elif keyword == "RESTART" and state.phase not in ("consent", "declined"):
            state.aside = "restart"
            self.say_reply(_yes_no("ask_restart"))
        elif keyword == "BACK":
            self.back()
        elif keyword == "CHANGE" and state.phase in ("summary", "done"):
            self.start_change()
        elif keyword == "CHANGE":
            self.prompt()
        else:
            return False
        return True

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

    def language_menu(self) -> Reply:
        names = tuple(LANGUAGE_NAMES.get(code, code) for code in self.ctx.languages)
        return Reply(
            key="ask_language",
            groups=(Group(items=names),),
            buttons=tuple(
                Button(label=name, value=str(i), literal=True) for i, name in enumerate(names, 1)
            ),
        )

    def answer_aside(self, text: str, keyword: keywords.Keyword | None) -> bool:
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

    def welcome(self) -> None:
        ctx = self.ctx
        self.state.phase = "consent"
        self.say("welcome", name=ctx.name, purpose=ctx.purpose)
        self.prompt()
        others = [LANGUAGE_NAMES.get(c, c) for c in ctx.languages if c != self.state.language]
        if others:
            words = ", ".join(
                keywords.own_word(c) for c in ctx.languages if c != self.state.language
            )
            self.say("offer_languages", words=words)

    def answer(self, text: str, keyword: keywords.Keyword | None) -> None:
        phase = self.state.phase
        if phase in ("consent", "declined"):
            self.answer_consent(keyword)
        elif phase == "perspective":
            self.answer_perspective(text, keyword)
        elif phase == "segment":
            self.answer_segment(text, keyword)
        elif phase == "collect":
            self.answer_collect(text, keyword)
        elif phase == "pick":
            self.answer_pick(text, keyword)
        elif phase == "summary":
            self.answer_summary(keyword)
        elif phase == "change":
            self.answer_change(text)
        elif phase == "followup":
            self.answer_followup(keyword)
        else:
            self.say("already_done")

    def answer_consent(self, keyword: keywords.Keyword | None) -> None:
        if keyword == "YES":
            self.do(Consented(self.ctx.consent_version))
            self.state.phase = "perspective"
            self.prompt()
        elif keyword == "NO":
            self.do(Declined())
            self.state.phase = "declined"
            self.say("declined")
        else:
            self.prompt()

    def answer_perspective(self, text: str, keyword: keywords.Keyword | None) -> None:
        chosen = _choice(text, 2) or _PERSPECTIVE_WORDS.get(keywords.normalise(text))
        if keyword == "SKIP":
            self.do(SetPerspective(None))
        elif chosen:
            self.state.perspective = PERSPECTIVES[chosen - 1]
            self.do(SetPerspective(self.state.perspective))
        else:
            self.need_words_or_prompt(text)
            return
        if self.ctx.segments:
            self.state.phase = "segment"
        else:
            self.open_category("working")
            return
        self.prompt()

    def answer_segment(self, text: str, keyword: keywords.Keyword | None) -> None:
        chosen = _choice(text, len(self.ctx.segments))
        if keyword == "SKIP":
            self.do(SetSegment(None))
        elif chosen:
            self.state.segment = self.ctx.segments[chosen - 1]
            self.do(SetSegment(self.state.segment))
        else:
            self.need_words_or_prompt(text)
            return
        self.open_category("working")

    def open_category(self, category: Category) -> None:
        state = self.state
        state.phase, state.category, state.first_pick, state.ticked = "collect", category, None, []
        if state.count(category) >= self.ctx.max_statements:
            self.finish_category()
            return
        self.prompt()

    def answer_collect(self, text: str, keyword: keywords.Keyword | None) -> None:
        if keyword in ("DONE", "SKIP"):
            self.finish_category()
            return
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
                    key="got_statement", params=(("count", len(previews)),), buttons=_DONE_SKIP[:1]
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

    def answer_pick(self, text: str, keyword: keywords.Keyword | None) -> None:
        state = self.state
        count = state.count(self.category)
        if keyword == "SKIP":
            self.store_picks(())
            self.next_step()
            return
        upper = text.upper()
        if upper.startswith("TICK "):
            self.toggle(upper[5:].strip(), count)
            return
        if upper == "CONFIRM" or keyword == "DONE":
            if len(state.ticked) == 2:
                self.store_picks(tuple(state.ticked))
                self.next_step()
            else:
                self.say_reply(self.pick_question(edit=upper == "CONFIRM"))
            return
        found = parsing.numbers(text)
        if found is None:
            self.say_reply(self.pick_question(key="pick_invalid"))
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
            self.say_reply(self.pick_question(key="pick_invalid"))

    def toggle(self, value: str, count: int) -> None:
        ticked = self.state.ticked
        if value.isdigit() and 1 <= int(value) <= count:
            number = int(value)
            if number in ticked:
                ticked.remove(number)
            else:
                ticked.append(number)
                del ticked[:-2]
        self.say_reply(self.pick_question(edit=True))

    def answer_summary(self, keyword: keywords.Keyword | None) -> None:
        state = self.state
        if keyword == "YES":
            first_time = not state.completed
            state.completed = True
            self.do(Completed())
            if first_time and self.ctx.can_follow_up:
                state.phase = "followup"
                self.prompt()
            else:
                state.phase = "done"
                self.say("goodbye")
        elif keyword == "NO":
            self.start_change()
        else:
            self.prompt()

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

    def answer_followup(self, keyword: keywords.Keyword | None) -> None:
        if keyword not in ("YES", "NO"):
            self.prompt()
            return
        self.do(FollowUp(keyword == "YES"))
        self.state.phase = "done"
        self.say("goodbye")

    # ---- BACK ------------------------------------------------------------------------------

    def back(self) -> None:
        """Undo the last statement, or go back one step."""
        state = self.state
        phase = state.phase
        if phase == "collect" and state.count(self.category) > 0:
            self.remove_last()
        elif phase == "collect":
            self.step_back_from(CATEGORIES.index(self.category))
        elif phase == "pick":
            if state.first_pick is not None:
                state.first_pick = None
                self.prompt()
            else:
                state.phase = "collect"
                self.say_reply(self.statement_list())
                self.prompt()
        elif phase == "segment":
            state.phase = "perspective"
            self.prompt()
        elif phase == "summary":
            self.step_back_from(len(CATEGORIES))
        elif phase == "change":
            state.phase = "summary"
            self.prompt()
        else:
            self.say("nothing_to_undo")
            self.prompt()

    def remove_last(self) -> None:
        category = self.category
        previews = self.state.statements[category]
        removed = previews.pop()
        self.do(RemoveStatement(category, len(previews) + 1))
        self.say("removed_last", text=removed)
        self.prompt()

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
                self.say_reply(self.statement_list())
        self.prompt()

    # ---- prompts ---------------------------------------------------------------------------

    @property
    def category(self) -> Category:
        return self.state.category or "working"

    def need_words_or_prompt(self, text: str) -> None:
        if not parsing.has_words(text):
            self.say("need_words")
        self.prompt()

    def prompt(self) -> None:
        """Ask the current question again (after HELP, a re-prompt, a reminder...)."""
        state, ctx = self.state, self.ctx
        phase = state.phase
        if phase in ("new", "consent", "declined"):
            self.say_reply(_yes_no("ask_consent"))
        elif phase == "perspective":
            self.say_reply(
                Reply(
                    key="ask_perspective",
                    buttons=(Button("btn_myself", "1"), Button("btn_carer", "2")),
                )
            )
        elif phase == "segment":
            self.say_reply(
                Reply(
                    key="ask_segment",
                    groups=(Group(items=ctx.segments),),
                    buttons=tuple(
                        Button(s, str(i), literal=True) for i, s in enumerate(ctx.segments, 1)
                    ),
                )
            )
        elif phase == "collect":
            self.say_reply(Reply(key=f"ask_{self.category}", buttons=_DONE_SKIP))
        elif phase == "pick":
            self.say_reply(self.pick_question())
        elif phase == "summary":
            self.say_reply(self.summary())
        elif phase == "change":
            self.say_reply(
                Reply(
                    key="ask_change",
                    buttons=tuple(
                        Button(f"label_{c}", str(i)) for i, c in enumerate(CATEGORIES, 1)
                    ),
                )
            )
        elif phase == "followup":
            self.say_reply(_yes_no("ask_followup"))
        elif phase == "done":
            self.say("already_done")

    def statement_list(self) -> Reply:
        return Reply(
            key="you_said", groups=(Group(items=tuple(self.state.statements[self.category])),)
        )

    def pick_question(self, key: str = "ask_pick", edit: bool = False) -> Reply:
        items = tuple(self.state.statements[self.category])
        buttons = tuple(Button(item, f"TICK {i}", literal=True) for i, item in enumerate(items, 1))
        return Reply(
            key=key,
            groups=(Group(items=items),),
            buttons=(*buttons, Button("btn_confirm", "CONFIRM")),
            ticked=tuple(self.state.ticked),
            edit=edit,
        )

    def summary(self) -> Reply:
        state = self.state
        groups = []
        for category in CATEGORIES:
            chosen = tuple(
                state.statements[category][n - 1]
                for n in state.picks[category]
                if n <= state.count(category)
            )
            groups.append(Group(items=chosen, label=f"label_{category}"))
        return Reply(
            key="summary",
            groups=tuple(groups),
            footer="ask_confirm",
            buttons=(Button("btn_yes", "YES"), Button("btn_change", "CHANGE")),
        )


_DONE_SKIP = (Button("btn_done", "DONE"), Button("btn_skip", "SKIP"))


def _yes_no(key: str) -> Reply:
    return Reply(key=key, buttons=(Button("btn_yes", "YES"), Button("btn_no", "NO")))


def _choice(text: str, options: int) -> int | None:
    """A single number from 1 to `options`, or None."""
    found = parsing.numbers(text)
    if found and len(found) == 1 and 1 <= found[0] <= options:
        return found[0]
    return None
