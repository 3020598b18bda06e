"""Replies kept while a fill run is unfinished, so an interrupted run resumes without asking
again.

Every reply is written to the cache folder as it arrives (atomically, one small JSON file per
request); a run that finds a request's reply there uses it instead of the network. A run that
finishes empties the folder: the cache exists only between an interruption and the run that
completes it, so it never serves stale answers to a later ``atbib fill``. The folder is the
user's cache (``$XDG_CACHE_HOME/atbib/fill/<project>``, or ``$ATBIB_CACHE_DIR``), never the
project, so nothing in it can be committed by mistake.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
from pathlib import Path

from atbib.files import write_text_atomic
from atbib.fill.sources.base import Reply, Request


def cache_folder(project: Path) -> Path:
    """Where a project's unfinished run keeps its replies."""
    base = os.environ.get("ATBIB_CACHE_DIR") or os.environ.get("XDG_CACHE_HOME")
    root = Path(base) if base else Path.home() / ".cache"
    if not os.environ.get("ATBIB_CACHE_DIR"):
        root = root / "atbib"
    digest = hashlib.sha256(str(project.resolve()).encode("utf-8")).hexdigest()[:16]
    return root / "fill" / digest


class ReplyCache:
    """Replies by request, in a folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _path(self, request: Request) -> Path:
        digest = hashlib.sha256()
        for part in (request.method, request.url):
            digest.update(part.encode("utf-8") + b"\0")
        digest.update(request.body or b"")
        return self.folder / f"{request.source}-{digest.hexdigest()[:32]}.json"

    def get(self, request: Request) -> Reply | None:
        try:
            data = json.loads(self._path(request).read_text(encoding="utf-8"))
            return Reply(int(data["status"]), base64.b64decode(data["body"]), data["headers"])
        except (OSError, ValueError, KeyError, TypeError):
            return None  # absent, or unreadable: ask again

    def put(self, request: Request, reply: Reply) -> None:
        data = {
            "status": reply.status,
            "headers": dict(reply.headers),
            "body": base64.b64encode(reply.body).decode("ascii"),
        }
        write_text_atomic(self._path(request), json.dumps(data))

    def clear(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)
