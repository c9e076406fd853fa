"""Images that may go to LinkedIn: JPEG, PNG or GIF, within LinkedIn's size limits."""

from __future__ import annotations

from typing import IO

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

# LinkedIn takes JPG, PNG and GIF (linkedin-api.md 5.4), under 36,152,320 pixels.
FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "GIF": "image/gif"}
MAX_PIXELS = 36_152_320
MAX_UPLOAD_BYTES = 8 * 1024 * 1024


def image_format(stream: IO[bytes]) -> str:
    """The verified format (JPEG, PNG or GIF) of an image, or ValidationError saying why not."""
    try:
        with Image.open(stream) as image:
            width, height = image.size
            found = image.format or ""
            image.verify()  # the whole file, not only its header
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ValidationError(
            _("This file is not an image that can be read. Use a JPEG, PNG or GIF."),
            code="not_an_image",
        ) from None
    except Image.DecompressionBombError:
        raise ValidationError(_("This image is too large."), code="too_many_pixels") from None
    finally:
        stream.seek(0)
    if found not in FORMATS:
        raise ValidationError(
            _("LinkedIn takes JPEG, PNG and GIF images; this one is %(format)s.")
            % {"format": found or _("of another kind")},
            code="unsupported_format",
        )
    if width * height >= MAX_PIXELS:
        raise ValidationError(
            _("The image has %(pixels)s pixels; LinkedIn takes fewer than %(limit)s.")
            % {"pixels": f"{width * height:,}", "limit": f"{MAX_PIXELS:,}"},
            code="too_many_pixels",
        )
    return found


def validate_upload(upload: IO[bytes], size: int | None) -> str:
    """Check an uploaded image: its size in bytes first, then what it is."""
    if size is not None and size > MAX_UPLOAD_BYTES:
        raise ValidationError(
            _("The image is %(size)s MB; the limit is %(limit)s MB.")
            % {"size": f"{size / 1024 / 1024:.1f}", "limit": MAX_UPLOAD_BYTES // 1024 // 1024},
            code="too_big",
        )
    return image_format(upload)
