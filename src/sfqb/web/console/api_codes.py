"""`/api/v1/codes`: the catalog, one code, and decoding pasted text, as JSON."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query

from sfqb.domain.people import Person
from sfqb.domain.status import System
from sfqb.services.codes import CodeNotFound, DecodeError, browse, code_page, decode_text
from sfqb.web.console import Console
from sfqb.web.console.api_models_log import CodesOut, DecodedOut, DecodeIn, StatusOut
from sfqb.web.console.auth import API_ERRORS, ErrorBody, api_viewer
from sfqb.web.console.codes import MAX_PASTE

_ERRORS: dict[int | str, dict[str, Any]] = {
    **API_ERRORS,
    400: {"model": ErrorBody, "description": "A search or text sfqb cannot use; `detail` says why"},
}


_SYSTEM = f"^({'|'.join(s.value for s in System)})?$"


def routes(console: Console) -> APIRouter:
    """The codes endpoints."""
    router = APIRouter(prefix="/api/v1/codes", tags=["codes"], responses=_ERRORS)

    @router.get("", response_model=CodesOut)
    def codes(
        person: Annotated[Person, Depends(api_viewer)],
        q: Annotated[str | None, Query(max_length=200)] = None,
        system: Annotated[str | None, Query(pattern=_SYSTEM)] = None,
    ) -> CodesOut:
        """The catalog; `q` keeps codes whose code, system or words hold every word of it."""
        try:
            found = browse(console.catalog, q, system or None)
        except DecodeError as exc:
            raise HTTPException(400, str(exc)) from None
        return CodesOut(codes=[StatusOut.model_validate(v) for v in found])

    @router.post("/decode", response_model=DecodedOut)
    def decode(body: DecodeIn, person: Annotated[Person, Depends(api_viewer)]) -> DecodedOut:
        """Every status in a pasted log line, error body or file (at most 1,000,000 bytes);
        text with none sfqb can read answers an empty list and the `problem`."""
        try:
            found = decode_text(console.catalog, body.text, "the text", MAX_PASTE)
        except DecodeError as exc:  # the answer to the question: nothing sfqb can read
            return DecodedOut(statuses=[], problem=str(exc))
        return DecodedOut(statuses=[StatusOut.model_validate(v) for v in found])

    @router.get("/{code}", response_model=CodesOut)
    def code(
        code: str,
        person: Annotated[Person, Depends(api_viewer)],
        system: Annotated[str | None, Query(pattern=_SYSTEM)] = None,
    ) -> CodesOut:
        """Every catalog reading of a code, as `sfqb explain` shows it."""
        try:
            readings = code_page(console.catalog, code, system or None)
        except CodeNotFound as exc:
            raise HTTPException(404, str(exc)) from None
        return CodesOut(codes=[StatusOut.model_validate(v) for v in readings])

    return router
