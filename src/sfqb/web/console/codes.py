"""The catalog's pages: every code (searchable), one code's page, and the decoder box."""

from __future__ import annotations

from importlib.resources import files
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from sfqb.codes.words import system_text
from sfqb.domain.people import Person
from sfqb.domain.status import System
from sfqb.services.codes import CodeNotFound, DecodeError, browse, code_page, decode_text
from sfqb.web.console import Console
from sfqb.web.console.auth import csrf_checked, viewer
from sfqb.web.console.pages import render

_SYSTEMS = [(s.value, system_text(s)) for s in System]
STYLESHEET = "/static/log.css"  # the log, record and codes pages' own rules
MAX_PASTE = 1_000_000  # bytes the console decodes at a time (a page shows them back)


async def posted_text(request: Request) -> tuple[str | bytes, str]:
    """The pasted text, or the chosen file's bytes (at most one byte over the limit, so an
    oversized file is refused by its size), and where it came from."""
    form = await request.form(max_files=1, max_fields=10, max_part_size=MAX_PASTE * 4 + 1)
    upload = form.get("file")
    if isinstance(upload, UploadFile) and upload.filename:
        data = await upload.read(MAX_PASTE + 1)
        return data, f"the file {upload.filename[:100]}"
    text = form.get("text")
    return (text if isinstance(text, str) else ""), "the pasted text"


def routes(console: Console) -> APIRouter:
    """The codes pages."""
    router = APIRouter(include_in_schema=False)
    stylesheet = files("sfqb.web.console").joinpath("static/log.css").read_bytes()

    @router.get(STYLESHEET)
    def log_css() -> Response:
        return Response(
            stylesheet,
            media_type="text/css; charset=utf-8",
            headers={"Cache-Control": "public, max-age=3600"},
        )

    @router.get("/codes")
    def codes(
        request: Request,
        person: Annotated[Person, Depends(viewer)],
        q: Annotated[str | None, Query(max_length=200)] = None,
        system: Annotated[str | None, Query(max_length=40)] = None,
    ) -> Response:
        context: dict[str, Any] = {
            "q": q or "",
            "system": system or "",
            "systems": _SYSTEMS,
            "error": None,
        }
        try:
            context["codes"] = browse(console.catalog, q, system or None)
        except DecodeError as exc:
            context |= {"codes": [], "error": str(exc)}
            return render(request, "codes.html", context, status=400)
        return render(request, "codes.html", context)

    @router.get("/codes/decode")
    def decode_form(request: Request, person: Annotated[Person, Depends(viewer)]) -> Response:
        return render(request, "decode.html", {"text": "", "found": None, "error": None})

    @router.post("/codes/decode", dependencies=[Depends(csrf_checked)])
    async def decode(request: Request, person: Annotated[Person, Depends(viewer)]) -> Response:
        data, source = await posted_text(request)
        shown = data if isinstance(data, str) else ""
        context: dict[str, Any] = {"text": shown, "found": None, "error": None, "source": source}
        try:
            context["found"] = decode_text(console.catalog, data, source, MAX_PASTE)
        except DecodeError as exc:
            context["error"] = str(exc)
            return render(request, "decode.html", context, status=400)
        return render(request, "decode.html", context)

    @router.get("/codes/{code}")
    def code(
        request: Request,
        code: str,
        person: Annotated[Person, Depends(viewer)],
        system: Annotated[str | None, Query(max_length=40)] = None,
    ) -> Response:
        try:
            readings = code_page(console.catalog, code, system or None)
        except CodeNotFound as exc:
            return render(request, "code_missing.html", {"message": str(exc)}, status=404)
        return render(request, "code.html", {"code": code, "readings": readings})

    return router
