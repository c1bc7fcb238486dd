"""What a quote action can refuse; each message is for the user (Swedish, translated)."""

from __future__ import annotations


class NoPriceListInForce(Exception):
    """No published price list is in force: a quote cannot be started."""


class QuoteNotEditable(Exception):
    """Only drafts change; a signed or sent quote is frozen."""


class QuoteArchived(QuoteNotEditable):
    """An archived draft is restored ("Återställ") before it changes again."""


class DocumentError(Exception):
    """A document action that cannot be done."""

    def __init__(self, message: str, problems: list[str] | None = None):
        super().__init__(message)
        self.message = message
        self.problems = problems or []


class QuoteNotSignable(DocumentError):
    pass


class QuoteNotAnswerable(DocumentError):
    """The customer can no longer accept or decline (answered, expired, superseded)."""
