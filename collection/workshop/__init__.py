"""The Theme workshop (step 3 of the method): piles, card placements, undo, votes.

The cards are the export's (top-two picks in card-call order, references like
W-07); this package stores where each statement went, keyed by statement id, so
a reference printed on paper and a card on the screen always name the same
statement. Pure logic (suggestions, counting, the next card) is kept apart from
the storage so it can be tested without a database.
"""
