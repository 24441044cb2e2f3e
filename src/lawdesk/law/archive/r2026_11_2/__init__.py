"""Rule set 2026.11.2, frozen as it was released, so decisions stored under it still replay.

Do not edit: a stored decision must replay to exactly what was recorded. Fixes go into the
current rule set (``lawdesk.law``), which carries a new version.
"""
