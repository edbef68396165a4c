"""The WTfC collection conversation: a pure engine (no I/O, no clock, no database).

`bot.engine.step(state, inbound, context)` returns the new state, the replies to
send (as translatable message keys) and the effects the caller must store.
"""
