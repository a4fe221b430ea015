"""Key files on disk: private files are created mode 0600 in a 0700 directory."""

from __future__ import annotations

import base64
import os
import secrets
from pathlib import Path
from typing import TYPE_CHECKING

from entitle.licensefile.errors import KeyStoreError
from entitle.licensefile.jwk import ed25519_thumbprint, rsa_thumbprint
from entitle.licensefile.keyerrors import KeysAlreadyExist, RootKeyUnavailable

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey

RSA_BITS = 3072
ROOT_KEY_FILE = "root.key.pem"


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def unb64(text: str) -> bytes:
    return base64.b64decode(text, validate=True)


def make_private_dir(path: Path) -> None:
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    path.chmod(0o700)


def write_private_file(path: Path, data: bytes) -> None:
    """Create ``path`` mode 0600; an existing file is never overwritten."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise KeysAlreadyExist(f"{path} already exists; refusing to overwrite a key") from None
    with os.fdopen(fd, "wb") as file:
        file.write(data)
        file.flush()
        os.fsync(file.fileno())


def replace_private_file(path: Path, data: bytes) -> None:
    """Atomically replace ``path`` with ``data``, mode 0600."""
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    write_private_file(temporary, data)
    os.replace(temporary, path)


def private_key_path(keys_dir: Path, kid: str, kind: str) -> Path:
    return keys_dir / f"{kid}.{kind}.pem"


def create_ed25519(keys_dir: Path, kind: str) -> tuple[str, Ed25519PrivateKey]:
    """A new Ed25519 private key file named for its kid and ``kind``."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    key = Ed25519PrivateKey.generate()
    public = key.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    kid = ed25519_thumbprint(public)
    write_private_file(private_key_path(keys_dir, kid, kind), pkcs8(key))
    return kid, key


def create_rsa(keys_dir: Path) -> tuple[str, RSAPrivateKey]:
    """A new RSA private key file named for its kid."""
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=RSA_BITS)
    numbers = key.public_key().public_numbers()
    kid = rsa_thumbprint(numbers.n, numbers.e)
    write_private_file(private_key_path(keys_dir, kid, "rsa"), pkcs8(key))
    return kid, key


def load_ed25519(keys_dir: Path, kid: str, kind: str = "ed25519") -> Ed25519PrivateKey:
    return _ed25519(_read(private_key_path(keys_dir, kid, kind)), f"key {kid}")


def load_rsa(keys_dir: Path, kid: str) -> RSAPrivateKey:
    from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    key = load_pem_private_key(_read(private_key_path(keys_dir, kid, "rsa")), None)
    if not isinstance(key, RSAPrivateKey) or key.key_size < RSA_BITS:
        raise KeyStoreError(f"key {kid} is not an RSA key of {RSA_BITS}+ bits")
    return key


def load_root_key(path: Path) -> Ed25519PrivateKey:
    """The issuer root's private key from ``path``; :class:`RootKeyUnavailable` if absent."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise RootKeyUnavailable(f"{path} does not exist") from None
    except OSError as error:
        raise RootKeyUnavailable(f"{path} cannot be read ({error.strerror})") from None
    return _ed25519(data, str(path))


def _ed25519(data: bytes, what: str) -> Ed25519PrivateKey:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    try:
        key = load_pem_private_key(data, None)
    except (ValueError, TypeError):
        raise KeyStoreError(f"{what} is not an unencrypted PEM private key") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyStoreError(f"{what} is not an Ed25519 key")
    return key


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise KeyStoreError(f"{path} is missing") from None


def pkcs8(key: Ed25519PrivateKey | RSAPrivateKey) -> bytes:
    from cryptography.hazmat.primitives import serialization

    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
