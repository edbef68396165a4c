"""Every participant-facing text, keyed by a stable message id.

The English text is the gettext msgid (so `pybabel extract` finds it through
`N_`); a tuple is a (singular, plural) pair chosen by the `count` parameter.
Keep English prompts in the GSM-7 alphabet (straight quotes, no emoji) and short:
every SMS segment costs the programme money.
"""

from __future__ import annotations


def N_(message: str) -> str:
    """Mark a string for extraction without translating it here."""
    return message


Message = str | tuple[str, str]

MESSAGES: dict[str, Message] = {
    # joining
    "welcome": N_(
        "Hello from {name}. {purpose} We will ask you 3 short questions. "
        "Your answers go on cards with no name on them."
    ),
    "ask_consent": N_("Reply YES to take part. Reply STOP at any time to stop."),
    "offer_languages": N_("Other languages: reply {words}"),
    "declined": N_("That's fine. Thank you for your time."),
    "unknown_sender": N_("Hello. To take part, please send the code on the poster."),
    "offer_programme": N_("Hello. To take part in {name}, reply {code}"),
    "lobby_help": N_(
        "To take part, send the code on the poster. Reply STOP to get no more messages."
    ),
    "closed": N_("Sorry, this has now closed. Thank you for wanting to take part."),
    "welcome_back": N_("Welcome back. Let's carry on."),
    # who is answering
    "ask_perspective": N_(
        "Are you answering 1) for yourself or 2) as a carer or family member? Reply 1 or 2"
    ),
    "ask_segment": N_("Which of these do you use? Reply with a number"),
    # the three questions
    "ask_working": N_(
        "What is working well for you? Send one thing per message. "
        "Send DONE when you have finished."
    ),
    "ask_not_working": N_(
        "What is not working well for you? Send one thing per message. "
        "Send DONE when you have finished."
    ),
    "ask_future": N_(
        "What is important to you for the future? Send one thing per message. "
        "Send DONE when you have finished."
    ),
    "got_statement": (
        N_("Thank you. That's {count} so far. Send another, or DONE."),
        N_("Thank you. That's {count} so far. Send another, or DONE."),
    ),
    "got_last_statement": N_("Thank you. That's all we can take for this question."),
    "you_said": N_("You told us:"),
    # picking the top two
    "ask_pick": N_("Which TWO matter most to you? Reply with two numbers, like 1 3"),
    "ask_second_pick": N_("And the second one? Reply with one more number."),
    "pick_invalid": N_("Sorry, please reply with two different numbers from this list, like 1 3"),
    # the end
    "summary": N_("Here is what matters most to you:"),
    "ask_confirm": N_("Reply YES if that is right, or CHANGE to change something."),
    "ask_change": N_(
        "What would you like to change? Reply 1 working well, 2 not working well, or 3 the future"
    ),
    "ask_followup": N_(
        "Thank you. Would you like a message later about what changes? Reply YES or NO"
    ),
    "goodbye": N_("Thank you for taking part. What you said will help change things."),
    "already_done": N_(
        "You have already taken part, thank you. Reply CHANGE to change your answers."
    ),
    "label_working": N_("Working well"),
    "label_not_working": N_("Not working well"),
    "label_future": N_("Important for the future"),
    "nothing_yet": N_("(nothing)"),
    # keywords
    "help": N_(
        "Send your answer in words. You can also send: BACK to undo, SKIP, DONE, "
        "RESTART, LANGUAGE, DELETE, or STOP."
    ),
    # TRANSLATORS: sent once when a statement reads as a disclosure of harm; {centre} is
    # the programme's own contact line, in the words the lead typed.
    "safeguarding_help": N_(
        "Thank you for telling us. If you are in danger now, call 999. Samaritans "
        "listen day or night, free, on 116 123. {centre}"
    ),
    "stopped": N_("You will get no more messages from us. Reply START to come back."),
    "removed_last": N_("Taken off: {text}"),
    "nothing_to_undo": N_("There is nothing to undo here."),
    "ask_restart": N_(
        "Start again? Your answers will be deleted. Reply YES to start again or NO to carry on."
    ),
    "restarted": N_("OK, starting again."),
    "ask_delete": N_("Delete everything you have told us? Reply YES to delete or NO to carry on."),
    "deleted": N_("Everything you told us has been deleted. Thank you."),
    "ask_language": N_("Which language? Reply with a number"),
    "one_language": N_("Sorry, this is only available in one language."),
    "carry_on": N_("OK, let's carry on."),
    # things we cannot use
    "need_words": N_("Sorry, we need words. Please send your answer as a message."),
    "no_media": N_("Thank you, but we can't use pictures or sounds. Please send words."),
    "reminder": N_("Hello again. You can carry on where you left off."),
    # staff invites and other channels
    "invite": N_(
        "Hello from {name}. {purpose} Would you tell us what works for you and what "
        "doesn't? Reply {code} to take part, or STOP for no more messages."
    ),
    # workshop votes by text (VOTE 2 5 7)
    "vote_saved": N_("Thank you. Your vote for {choices} is saved. Send VOTE again to change it."),
    "vote_closed": N_("Sorry, voting is not open now. Thank you for wanting to vote."),
    "vote_unclear": N_(
        "To vote, send VOTE and three different numbers from the wall, like VOTE 2 5 7. "
        "The numbers go from 1 to {last}."
    ),
    "private_only": N_("Sorry, I only work in private chats. Please message me directly."),
    # "you said, we did" (step 8)
    "feedback_thanks": N_("Thank you for your reply. We have passed it on to the team."),
    # Telegram's command menu (one per language, beside the message box)
    "cmd_help": N_("What you can send"),
    "cmd_stop": N_("Stop all messages"),
    "cmd_language": N_("Choose another language"),
    "cmd_restart": N_("Start your answers again"),
    # web chat page
    "web_title": N_("Tell us what matters to you"),
    "web_placeholder": N_("Type your answer here"),
    "web_send": N_("Send"),
    "web_next_person": N_("Next person"),
    "web_next_person_confirm": N_("Finish and clear the screen for the next person?"),
    "web_busy": N_(
        "Sorry, a lot of conversations have started here just now. "
        "Please wait a few minutes, then try again."
    ),
    # button labels (rich channels)
    "btn_yes": N_("Yes"),
    "btn_no": N_("No"),
    "btn_done": N_("Done"),
    "btn_skip": N_("Skip"),
    "btn_confirm": N_("Confirm"),
    "btn_change": N_("Change"),
    "btn_myself": N_("For myself"),
    "btn_carer": N_("As a carer or family"),
    # leaving one programme's conversation for another (JOIN CODE, a deep link)
    "switched_programme": N_(
        "Your answers for {name} are kept, paused where you left them. "
        "To go back to them, send JOIN {code}"
    ),
}

VERBATIM: frozenset[str] = frozenset({"feedback"})
"""Keys whose `text` parameter is sent exactly as a lead wrote it, in the person's language
(a "you said, we did" round): never looked up in a catalog, never formatted."""

LANGUAGE_NAMES: dict[str, str] = {
    "en": "English",
    "cy": "Cymraeg",
    "pl": "Polski",
    "ur": "اردو",
    "en@easyread": "Easy read",
}
"""Each language named in itself: a person looks for their own language's name."""
