"""The database as Django storage for the signed PDFs (``StoredDocument``): the file
fields of ``Quote`` store through it, in the transaction that writes the quote. It reads
the table through the app registry, so ``quotes.models`` can name it."""

from __future__ import annotations

import hashlib

from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.utils.deconstruct import deconstructible


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _documents():
    return apps.get_model("quotes", "StoredDocument").objects


@deconstructible
class DocumentStorage(Storage):
    """Django's storage API over ``StoredDocument``: the PDFs in the database."""

    def _open(self, name, mode="rb"):
        data = _documents().filter(name=name).values_list("data", flat=True).first()
        if data is None:
            raise FileNotFoundError(f"No stored document {name!r}")
        return ContentFile(bytes(data), name=name)

    def _save(self, name, content):
        content.seek(0)
        data = content.read()
        _documents().create(name=name, data=data, size=len(data), sha256=sha256_hex(data))
        return name

    def exists(self, name) -> bool:
        return _documents().filter(name=name).exists()

    def delete(self, name) -> None:
        _documents().filter(name=name).delete()

    def size(self, name) -> int:
        size = _documents().filter(name=name).values_list("size", flat=True).first()
        if size is None:
            raise FileNotFoundError(f"No stored document {name!r}")
        return size

    def listdir(self, path):
        names = _documents().filter(name__startswith=path.rstrip("/") + "/" if path else "")
        return [], [n.rsplit("/", 1)[-1] for n in names.values_list("name", flat=True)]

    def url(self, name):
        raise NotImplementedError("Stored documents are served by the app's views, never by URL.")
