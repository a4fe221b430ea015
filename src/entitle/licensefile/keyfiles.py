"""Key files on disk: private files are created mode 0600 in a 0700 directory."""

from __future__ import annotations

import base64
import os
import secrets
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from entitle.licensefile.errors import KeysAlreadyExist, KeyStoreError
from entitle.licensefile.jwk import ed25519_thumbprint, rsa_thumbprint

if TYPE_CHECKING:
    from cryptography import x509
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey

RSA_BITS = 3072
CERTIFICATE_YEARS = 10


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


def certificate_path(keys_dir: Path, kid: str) -> Path:
    return keys_dir / f"{kid}.crt.pem"


def create_ed25519(keys_dir: Path) -> tuple[str, bytes]:
    """A new Ed25519 private key file; returns its kid and raw public key."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    key = Ed25519PrivateKey.generate()
    public = key.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    kid = ed25519_thumbprint(public)
    write_private_file(private_key_path(keys_dir, kid, "ed25519"), _pkcs8(key))
    return kid, public


def create_rsa(keys_dir: Path, now: datetime) -> tuple[str, bytes]:
    """A new RSA key and self-signed certificate; returns its kid and the DER certificate."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=RSA_BITS)
    numbers = key.public_key().public_numbers()
    kid = rsa_thumbprint(numbers.n, numbers.e)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "entitle"),
            x509.NameAttribute(NameOID.COMMON_NAME, f"entitle license signing {kid[:16]}"),
        ]
    )
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=365 * CERTIFICATE_YEARS))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    write_private_file(private_key_path(keys_dir, kid, "rsa"), _pkcs8(key))
    write_private_file(
        certificate_path(keys_dir, kid), certificate.public_bytes(serialization.Encoding.PEM)
    )
    return kid, certificate.public_bytes(serialization.Encoding.DER)


def load_ed25519(keys_dir: Path, kid: str) -> Ed25519PrivateKey:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    key = load_pem_private_key(_read(private_key_path(keys_dir, kid, "ed25519")), None)
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyStoreError(f"key {kid} is not an Ed25519 key")
    return key


def load_rsa(keys_dir: Path, kid: str) -> tuple[RSAPrivateKey, x509.Certificate]:
    from cryptography import x509
    from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    key = load_pem_private_key(_read(private_key_path(keys_dir, kid, "rsa")), None)
    if not isinstance(key, RSAPrivateKey) or key.key_size < RSA_BITS:
        raise KeyStoreError(f"key {kid} is not an RSA key of {RSA_BITS}+ bits")
    certificate = x509.load_pem_x509_certificate(_read(certificate_path(keys_dir, kid)))
    if certificate.public_key() != key.public_key():
        raise KeyStoreError(f"the certificate of key {kid} does not match the key")
    return key, certificate


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise KeyStoreError(f"{path} is missing") from None


def _pkcs8(key: Ed25519PrivateKey | RSAPrivateKey) -> bytes:
    from cryptography.hazmat.primitives import serialization

    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
