"""Joins PDFs into one file as they arrive, writing each part's pages out at once (bounded memory)."""

from __future__ import annotations

import hashlib
from io import BytesIO
from typing import BinaryIO

from pypdf import PdfReader
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
    PdfObject,
    StreamObject,
)

_HEADER = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"
_CATALOG = 1
_ROOT_PAGES = 2
_KIDS_PER_NODE = 256  # a two-level page tree: every viewer finds page n without scanning 10,000 kids
_INHERITED = ("/Resources", "/MediaBox", "/CropBox", "/Rotate")


class PdfJoiner:
    """Appends whole PDFs, page by page, to one output file.

    pypdf's PdfWriter keeps every page of the result in memory until it writes; this writes each
    appended part's page objects (contents, fonts, images) straight away and keeps only object
    offsets and page numbers, so joining 10,000 pages costs the memory of the largest part.
    Only pages and what they reference are copied: outlines, names and document metadata of the
    parts are dropped. The output need not be seekable.
    """

    def __init__(self, out: BinaryIO, title: str | None = None) -> None:
        self._out = out
        self._position = 0
        self._offsets: dict[int, int] = {}
        self._next_number = 3
        self._nodes: list[tuple[int, list[int]]] = []  # intermediate page tree nodes and their pages
        self._page_count = 0
        self._title = title
        self._closed = False
        self._digest = hashlib.sha256()
        self._write(_HEADER)

    def _write(self, data: bytes) -> None:
        self._out.write(data)
        self._digest.update(data)
        self._position += len(data)

    def _allocate(self) -> int:
        number = self._next_number
        self._next_number += 1
        return number

    def _parent_for_next_page(self) -> int:
        if not self._nodes or len(self._nodes[-1][1]) == _KIDS_PER_NODE:
            self._nodes.append((self._allocate(), []))
        return self._nodes[-1][0]

    def append(self, source: BinaryIO | str) -> int:
        """Copy every page of the PDF at source to the output. Returns the number of pages copied."""
        if self._closed:
            raise ValueError("joiner already closed")
        reader = PdfReader(source)
        numbers: dict[tuple[int, int], int] = {}
        queue: list[IndirectObject] = []

        def number_for(reference: IndirectObject) -> int:
            key = (reference.idnum, reference.generation)
            if key not in numbers:
                numbers[key] = self._allocate()
                queue.append(reference)
            return numbers[key]

        def relink(value: PdfObject) -> PdfObject:
            # Objects read from this part are rewritten in place: the reader is thrown away after.
            if isinstance(value, IndirectObject):
                return IndirectObject(number_for(value), 0, None)
            if isinstance(value, DictionaryObject):
                for key, item in list(value.items()):
                    value[key] = relink(item)
            elif isinstance(value, ArrayObject):
                for index, item in enumerate(value):
                    value[index] = relink(item)
            return value

        parents: dict[int, int] = {}
        for page in reader.pages:
            number = number_for(page.indirect_reference)
            parent = self._parent_for_next_page()
            self._nodes[-1][1].append(number)
            parents[number] = parent
            self._page_count += 1

        buffer = bytearray()
        while queue:
            reference = queue.pop()
            number = numbers[(reference.idnum, reference.generation)]
            value = reference.get_object()
            if number in parents:
                page = value
                # Attributes a page inherits from its old page tree must now be its own. (pypdf
                # copies them onto the page when it lists the pages; this is for any it did not.)
                parent = page.pop("/Parent", None)
                while parent is not None:
                    parent = parent.get_object()
                    for key in _INHERITED:
                        if key not in page and key in parent:
                            page[NameObject(key)] = parent.raw_get(key)
                    parent = parent.get("/Parent")
                relink(page)
                page[NameObject("/Parent")] = IndirectObject(parents[number], 0, None)
            else:
                if isinstance(value, StreamObject):
                    value.pop("/Length", None)  # written afresh, and may be an indirect number
                relink(value)
            self._offsets[number] = self._position + len(buffer)
            buffer += _object_bytes(number, value)
        self._write(bytes(buffer))
        return len(parents)

    def close(self) -> int:
        """Write the page tree, catalogue and cross-reference table. Returns the number of pages."""
        if self._closed:
            return self._page_count
        self._closed = True
        if self._page_count == 0:
            raise ValueError("a PDF needs at least one page")
        parts = []
        for node, kids in self._nodes:
            parts.append(
                (
                    node,
                    b"<< /Type /Pages /Parent %d 0 R /Kids [%s] /Count %d >>"
                    % (_ROOT_PAGES, b" ".join(b"%d 0 R" % kid for kid in kids), len(kids)),
                )
            )
        root_kids = b" ".join(b"%d 0 R" % node for node, _ in self._nodes)
        parts.append(
            (_ROOT_PAGES, b"<< /Type /Pages /Kids [%s] /Count %d >>" % (root_kids, self._page_count))
        )
        parts.append((_CATALOG, b"<< /Type /Catalog /Pages %d 0 R >>" % _ROOT_PAGES))
        info = None
        if self._title:
            info = self._allocate()
            title = self._title.encode("utf-16-be").hex().upper().encode()
            parts.append((info, b"<< /Title <FEFF%s> /Producer (eventapp) >>" % title))
        for number, body in parts:
            self._offsets[number] = self._position
            self._write(b"%d 0 obj\n%s\nendobj\n" % (number, body))

        xref_at = self._position
        size = self._next_number
        lines = [b"xref\n0 %d\n" % size, b"0000000000 65535 f \n"]
        lines += [b"%010d 00000 n \n" % self._offsets[number] for number in range(1, size)]
        file_id = self._digest.hexdigest()[:32].encode()  # same content, same identifier
        trailer = b"trailer\n<< /Size %d /Root %d 0 R /ID [<%s> <%s>]%s >>\nstartxref\n%d\n%%%%EOF\n" % (
            size,
            _CATALOG,
            file_id,
            file_id,
            b" /Info %d 0 R" % info if info else b"",
            xref_at,
        )
        self._write(b"".join(lines) + trailer)
        return self._page_count


def _object_bytes(number: int, value: PdfObject) -> bytes:
    stream = BytesIO()
    stream.write(b"%d 0 obj\n" % number)
    value.write_to_stream(stream)
    stream.write(b"\nendobj\n")
    return stream.getvalue()
