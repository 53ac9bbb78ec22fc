"""The portal's OCDS extension, served from ``procurement/ocds_extension/`` so that the URL each
release package lists in its ``extensions`` array is one a data user (or their tool) can fetch.
Public: it describes the feed's fields and holds no data."""

from __future__ import annotations

import json

from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from procurement import ocds


@login_not_required
@require_GET
def extension_file(request: HttpRequest, name: str) -> HttpResponse:
    """One file of the extension, by its path inside the extension's directory. Only the files
    that ``extension.json`` lists (and itself and its README) are served: ``name`` is never a
    path on disk."""
    files = ocds.extension_files()
    if name not in files:
        raise Http404
    content = (ocds.EXTENSION_DIR / name).read_bytes()
    if name == "extension.json":
        # The registry wants an absolute documentation URL; the file names it relative to itself.
        metadata = json.loads(content)
        metadata["documentationUrl"] = {
            lang: request.build_absolute_uri(url) for lang, url in metadata["documentationUrl"].items()
        }
        content = json.dumps(metadata, indent=2, ensure_ascii=False).encode() + b"\n"
    return HttpResponse(content, content_type=files[name])
