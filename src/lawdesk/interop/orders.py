"""CREATE: Authorisation + LDTask(s) + the form → one case (next pass)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lxml import etree

from lawdesk.interop import message as m

if TYPE_CHECKING:
    from lawdesk.interop.services import Context


def create_object(context: Context, action: m.Action) -> etree._Element:
    raise m.HI1Error(m.ErrorCode.NOT_SUPPORTED, "CREATE is not supported yet.")
