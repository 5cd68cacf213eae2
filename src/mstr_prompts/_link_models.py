"""What :func:`mstr_prompts.links.parse` returns: the parts of a Web or Library link.

Kept apart from :mod:`mstr_prompts.links`, which re-exports both classes on first use,
because they are pydantic models: building a link (``mstr-prompts link``) needs none.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from .model import AnswerSet

__all__ = ["LibraryLink", "Surface", "WebLink"]

Surface = Literal["j2ee", ".net"]
"""The Web server a link addresses: J2EE's ``…/servlet/mstrWeb`` or .NET's ``…/asp/Main.aspx``."""


class WebLink(BaseModel):
    """What a Web link says: where it goes, what it runs, with which answers.

    ``params`` holds every parameter that is not a prompt-answer parameter and not the
    object ID read into ``object_id``, decoded, in order, repeats kept (``evt`` and
    ``src`` included, so nothing is lost).

    >>> from mstr_prompts.links import parse
    >>> parse("mstrWeb?evt=3140&src=mstrWeb.3140&documentID=A8D3D83748F566F36EC660A9744E180E").object_kind
    'dossier'
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    base: str
    surface: Surface | None = None
    event: int | None = None
    object_kind: Literal["report", "document", "dossier"] | None = None
    object_id: str | None = None
    answers: AnswerSet = AnswerSet()
    params: tuple[tuple[str, str], ...] = ()


class LibraryLink(BaseModel):
    """What a Library link says: the Library, project, dashboard, page and answers.

    ``base`` is the Library's root URL (before ``/app/``); ``tail`` is any path after the
    page (``/export/pdf``); ``params`` holds every parameter but ``prompts``, decoded, in
    order (``filters``, ``dossier.filters`` …).

    >>> from mstr_prompts.links import parse
    >>> parse("https://h/MicroStrategyLibrary/app/EC70648611E7A2F962E90080EFD58751/"
    ...       "837B57D711E941BF000000806FA1298F/K53--K46").page_key
    'K53--K46'
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    base: str
    project_id: str
    dossier_id: str
    page_key: str | None = None
    tail: str = ""
    answers: AnswerSet = AnswerSet()
    params: tuple[tuple[str, str], ...] = ()
