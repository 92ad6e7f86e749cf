"""`facts serve`: a review site on the store for the people who correct it — search, entity
and definition pages, history timelines, diffs between quarters, proposals approved by someone
other than their author. Server-rendered (Starlette, Jinja2, uvicorn; `pip install
'factstore[web]'`); no page needs JavaScript.
"""

from __future__ import annotations

from factstore.web.app import build_app
from factstore.web.auth import Auth

__all__ = ["Auth", "build_app"]
