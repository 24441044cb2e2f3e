"""Signals other apps listen to, so they follow cases without the cases app knowing them.

Both are sent inside the transaction of the change: a receiver's writes commit or roll back
with it (the transparency counts rely on that to stay exact).
"""

from __future__ import annotations

from django.dispatch import Signal

# Sent when a request is accepted. Arguments: case, now.
case_received = Signal()

# Sent on every status change. Arguments: case, previous (status), now.
case_status_changed = Signal()

# Sent when a preservation is converted into a production request (Annex V), after the
# preservation's status change. Arguments: case (the preservation), production, actor, now,
# origin. Whoever keeps the preservation's holds moves them to the production case.
preservation_converted = Signal()
