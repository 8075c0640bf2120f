"""The instance folder: the SQLite database and the secrets (the Flask secret key, the server
master key, the VAPID key), readable by their owner only.

The folder is 0700 and every file in it 0600, whatever the umask; looser modes found on start
are tightened. SQLite creates a new database file 0644 whatever the umask, and gives its -wal
and -shm files the database file's mode, so the database file is created here first, 0600.
"""

from __future__ import annotations

import os
import secrets
import stat
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from sqlalchemy.engine import make_url

from webapp.encoding import b64url

FOLDER_MODE = 0o700
FILE_MODE = 0o600


def _tighten(path: Path, mode: int) -> None:
    if stat.S_IMODE(path.lstat().st_mode) & ~mode:
        path.chmod(mode)


def sqlite_file(database_url: str) -> Path | None:
    """Return the file of an SQLite database URL (None for another database or in memory)."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    if url.database.startswith("file:"):
        return None
    return Path(url.database).resolve()


def secure_instance(instance_path: str, database_url: str) -> Path:
    """Create the instance folder 0700 and the SQLite file 0600; tighten what is looser.

    Call before the engine is made, so that SQLite opens the file created here.
    """
    folder = Path(instance_path)
    folder.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
    _tighten(folder, FOLDER_MODE)
    database = sqlite_file(database_url)
    if database is not None:
        database.parent.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
        # An empty file is a valid, empty SQLite database.
        os.close(os.open(database, os.O_WRONLY | os.O_CREAT, FILE_MODE))
    # The database's -wal and -shm are in here too when the database is (the default).
    for path in folder.rglob("*"):
        if path.is_symlink():
            continue
        _tighten(path, FOLDER_MODE if path.is_dir() else FILE_MODE)
    return folder


def load_or_create(path: Path, size: int = 32) -> bytes:
    """Return the random secret in `path`, creating it with mode 0600 if it does not exist."""
    path.parent.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        data = path.read_bytes()
        if len(data) != size:
            raise RuntimeError(
                f"{path} is damaged: expected {size} bytes, found {len(data)}"
            ) from None
        return data
    data = secrets.token_bytes(size)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    return data


def instance_keys(instance_path: str) -> dict[str, bytes]:
    """Return the Flask secret key and the server master key of an instance folder."""
    folder = Path(instance_path)
    return {
        "secret_key": load_or_create(folder / "secret_key"),
        "master_key": load_or_create(folder / "master.key"),
    }


VAPID_FILE = "vapid_private.pem"


def vapid_key(instance_path: str) -> ec.EllipticCurvePrivateKey:
    """Return the instance's VAPID key (P-256), creating `vapid_private.pem` (0600) if missing.

    Push services know the server by its public half (RFC 8292); browsers subscribe with it, so
    it must not change: a new key would orphan every subscription.
    """
    path = Path(instance_path) / VAPID_FILE
    path.parent.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(key, ec.EllipticCurvePrivateKey) or key.curve.name != "secp256r1":
            raise RuntimeError(f"{path} is not a P-256 private key") from None
        return key
    key = ec.generate_private_key(ec.SECP256R1())
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)
    return key


def vapid_public_key(key: ec.EllipticCurvePrivateKey) -> str:
    """Return the VAPID public key as browsers take it: base64url of the uncompressed point."""
    raw = key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return b64url(raw)
