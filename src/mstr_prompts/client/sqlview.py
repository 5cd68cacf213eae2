"""Seed 000's SQL workflow exactly: create, ``PUT`` the answers as given, SQL view, delete.

"Execute report"
(https://microstrategy.github.io/rest-api-docs/common-workflows/analytics/manage-reports/manage-report-objects/execute-report)
reads the SQL view right after the answers.  :meth:`Report.sql
<mstr_prompts.client.Report.sql>` with ``validate=False`` sends exactly those requests
when the answers name their prompts; the prompts are listed only to explain a refusal.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..model import AnswerSet
from .answering import Answers, listed_prompts
from .errors import AnswersRejectedByServer, PromptsOutstanding, ServerError

if TYPE_CHECKING:
    from .objects import Report

__all__ = ["as_given", "sql_as_the_seed"]


def as_given(answers: Answers) -> AnswerSet | None:
    """The one set of answers seed 000's sequence can send as it is, or None: every
    answer must name its prompt (a Web link's positions need the listing to bind).

    >>> from mstr_prompts import rest
    >>> len(as_given(rest.decode('{"prompts": [{"name": "Year", "type": "VALUE", "answers": "2015"}]}')))
    1
    >>> as_given(None) is None
    True
    """
    if not isinstance(answers, AnswerSet):
        if answers is None or len(answers) != 1:
            return None
        answers = answers[0]
    if not len(answers) or not all(a.prompt.is_identified for a in answers):
        return None
    return answers


def sql_as_the_seed(report: Report, answers: AnswerSet) -> str:
    """Create a ``resolve_prompts`` instance, ``PUT`` ``answers`` as they are, read the SQL
    view, delete the instance: seed 000's requests and no others when all goes well.

    A refused ``PUT`` is answered round by round (the prompts are listed, which says
    why: :class:`~mstr_prompts.client.UnusedAnswers`, a bad answer, another round); a
    refused SQL view with prompts still open is
    :class:`~mstr_prompts.errors.PromptsOutstanding`.
    """
    instance = report.create(stage="resolve_prompts")
    with instance:  # deleted at the end, whatever happened
        try:
            instance.put_answers(answers)
        except AnswersRejectedByServer:
            instance.answer(answers, validate=False)
        try:
            return instance.sql()
        except ServerError as refused:
            if refused.status != 400:
                raise
            still_open = listed_prompts(instance)
            if still_open:
                raise PromptsOutstanding(
                    [d.prompt for d in still_open],
                    "open after the answers given (another round of prompts)",
                ) from None
            raise
