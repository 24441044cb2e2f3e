"""How the API writes JSON: one renderer for ninja's answers and for replayed ones."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Schema
from ninja.renderers import JSONRenderer
from ninja.responses import NinjaJSONEncoder


class Encoder(NinjaJSONEncoder):
    """Full-precision ISO 8601 times, so ``received_at`` equals the receipt's to the microsecond."""

    def default(self, o: Any) -> Any:
        if isinstance(o, datetime):
            return o.isoformat()
        return super().default(o)


class Renderer(JSONRenderer):
    encoder_class = Encoder


renderer = Renderer()


def json_answer(request: HttpRequest, status: int, schema: type[Schema],
                data: Any) -> HttpResponse:
    """``data`` checked against ``schema`` and written exactly as ninja writes its answers."""
    content = renderer.render(request, schema.model_validate(data).model_dump(),
                              response_status=status)
    return HttpResponse(content, status=status,
                        content_type=f"{renderer.media_type}; charset={renderer.charset}")
