"""Files the bot uploads: kept with a file_id, so they can be re-sent and tests can read them."""

from __future__ import annotations

from fakebot.errors import JsonDict, bad_request
from fakebot.params import UploadedFile
from fakebot.state import FakeState


class Files(FakeState):
    """Every upload, and the file_ids the fake gave them."""

    def __init__(self) -> None:
        super().__init__()
        self.uploads: list[UploadedFile] = []
        self._files: dict[str, UploadedFile] = {}

    def _document_upload(self, params: JsonDict) -> UploadedFile:
        """Accept a direct upload, an attach:// reference, or a file_id sent earlier."""
        document = params.get("document")
        if isinstance(document, str) and document.startswith("attach://"):
            document = params.get(document.removeprefix("attach://"))
        if isinstance(document, str) and document in self._files:
            return self._files[document]
        if document is None:
            raise bad_request("there is no document in the request")
        if not isinstance(document, UploadedFile):
            raise bad_request("wrong file identifier/HTTP URL specified")
        if not document.data:
            raise bad_request("file must be non-empty")
        return document

    def _store_file(self, upload: UploadedFile) -> JsonDict:
        """Give an upload a file_id so it can be re-sent and found again by tests."""
        serial = next(self._serials)
        file_id = f"fake-document-{serial}"
        self._files[file_id] = upload
        self.uploads.append(upload)
        return {
            "file_id": file_id,
            "file_unique_id": f"uniq-document-{serial}",
            "file_name": upload.filename,
            "mime_type": upload.content_type,
            "file_size": len(upload.data),
        }

    def upload(self, message: JsonDict) -> UploadedFile:
        """The bytes behind a document message the bot sent."""
        return self._files[message["document"]["file_id"]]
