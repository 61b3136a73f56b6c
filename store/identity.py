"""A returnee's identity — name, document number, phone — encrypted at rest.

Identities are the most sensitive data Ruta holds (Ley 1581 de 2012): they are kept apart from
the profile the rules read, encrypted with Fernet (AES-128-CBC with an HMAC-SHA256, from the
``cryptography`` package) under a key Ruta reads from ``RUTA_DATA_KEY``, and never written to
a log or an error. ``RUTA_DATA_KEY`` may list several keys separated by commas: the first
encrypts, every one decrypts, so a key can be rotated by putting the new one first.

With the embedded store and no ``RUTA_DATA_KEY``, the service makes a key file, readable only
by its owner, beside the database on its first start (so the quick start works); a copy of the
database alone then reveals no identity, but anyone who can read the data folder can. An office
in production sets ``RUTA_DATA_KEY`` and keeps the key elsewhere.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from texts import both

from .errors import StoreUnavailableError

__all__ = ["KEY_FILE", "Identity", "IdentityCipher", "new_key"]

#: The key file made beside an embedded store when ``RUTA_DATA_KEY`` is not set.
KEY_FILE = "ruta.key"


@dataclass(frozen=True)
class Identity:
    """Who a case is about. Only a caseworker of the case's office (or an administrator) reads
    it, and every read is in the access log."""

    name: str
    document_number: str | None = None
    phone: str | None = None

    def to_json(self) -> dict[str, str | None]:
        return {"name": self.name, "document_number": self.document_number, "phone": self.phone}


def new_key() -> str:
    """A new random key, in the form ``RUTA_DATA_KEY`` takes."""
    return Fernet.generate_key().decode()


class IdentityCipher:
    """Encrypts identities with the first key and decrypts with any of them."""

    def __init__(self, keys: list[str]) -> None:
        if not keys:
            raise StoreUnavailableError(
                *both("store.no_data_key"),
            )
        try:
            self._fernet = MultiFernet([Fernet(key.strip().encode()) for key in keys])
        except ValueError:
            raise StoreUnavailableError(
                *both("store.bad_data_key"),
            ) from None

    @classmethod
    def from_setting(cls, setting: str | None, data_dir: Path | None) -> IdentityCipher:
        """The keys of ``RUTA_DATA_KEY``; without it, the key file in ``data_dir`` (made on
        first use, readable by its owner only), or none when there is no data folder."""
        if setting:
            return cls([key for key in setting.split(",") if key.strip()])
        if data_dir is None:
            return cls([])
        path = data_dir / KEY_FILE
        if not path.exists():
            data_dir.mkdir(parents=True, exist_ok=True)
            try:
                descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:  # another process made it meanwhile
                pass
            else:
                with os.fdopen(descriptor, "w") as file:
                    file.write(new_key() + "\n")
        return cls([path.read_text(encoding="ascii").strip()])

    def seal(self, identity: Identity) -> str:
        data = json.dumps(identity.to_json(), ensure_ascii=False).encode()
        return self._fernet.encrypt(data).decode("ascii")

    def open(self, sealed: str) -> Identity:
        try:
            data = json.loads(self._fernet.decrypt(sealed.encode("ascii")))
        except InvalidToken:
            raise StoreUnavailableError(
                *both("store.identity_unreadable"),
            ) from None
        return Identity(data["name"], data.get("document_number"), data.get("phone"))
