"""Statements of reasons (DSA Art. 17) and the DSA Transparency Database (Art. 24(5)).

``fields`` holds the database's field rules and versioned enumerations, checked before anything
is sent; ``personal_data`` refuses free text that names someone; ``statements`` builds the
statement of a measure lawdesk took; ``outbox`` and ``client`` send them in batches, surviving
restarts; ``local_server`` is the project's own stand-in for the database, for tests and the
benchmark (docs/decisions/0024-statements-of-reasons.md).
"""
