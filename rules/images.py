"""Images uploaded with a content variant, kept in the database as data: URLs (small ones only), so that a variant
needs no media storage; the file's first bytes must be those of a PNG, JPEG, GIF or WebP image."""

import base64

MAX_IMAGE_BYTES = 256 * 1024
SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)
IMAGE_SOURCES = ("https://", "http://", "/", "data:image/")


class ImageRefused(ValueError):
    """An upload that is not a small PNG, JPEG, GIF or WebP image; the message says what to upload instead."""


def image_data_url(content: bytes) -> str:
    """The upload as a data: URL, or ImageRefused."""
    if len(content) > MAX_IMAGE_BYTES:
        raise ImageRefused(f"Upload an image of at most {MAX_IMAGE_BYTES // 1024} KB, or link a larger one by URL.")
    kind = next((mime for signature, mime in SIGNATURES if content.startswith(signature)), None)
    if kind is None and content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        kind = "image/webp"
    if kind is None:
        raise ImageRefused("Upload a PNG, JPEG, GIF or WebP image.")
    return f"data:{kind};base64,{base64.b64encode(content).decode()}"


def image_source(url: str) -> str:
    """`url` when it is a web address, a path on the site or an image data: URL; otherwise "" (never javascript:)."""
    return url if url.startswith(IMAGE_SOURCES) and not url.startswith("//") else ""
