"""A long list of things to print (badges, certificates) rendered into one PDF in chunks: by worker processes
when there are several chunks and CPUs, each chunk appended, in order, as soon as it and those before it are done.

Memory holds a few chunks whatever the length of the list; progress is reported after every chunk.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from pathlib import Path
from typing import BinaryIO, TypeVar

from .join import PdfJoiner
from .pool import process_pool

Item = TypeVar("Item")
Progress = Callable[[int, int], None]
# Renders one chunk to a PDF; it is sent to the worker processes, so a module-level function (or a
# functools.partial of one).
RenderChunk = Callable[[Sequence[Item]], bytes]


def _import(modules: Sequence[str]) -> Callable[[], None]:
    def warm_up() -> None:
        for name in modules:
            __import__(name)
    return warm_up


def write_chunked_pdf(
    chunks: Sequence[Sequence[Item]],
    out: str | os.PathLike[str] | BinaryIO,
    render_chunk: RenderChunk,
    *,
    title: str,
    workers: int,
    preload: Sequence[str],
    initializer: Callable[[], object] | None = None,
    progress: Progress | None = None,
) -> int:
    """Render every chunk with `render_chunk` and join them, in order, into `out` (a path or a binary file).

    `workers` processes (1: this process) start with the modules in `preload` imported and `initializer` run.
    progress(done, total), counted in items, is called with 0 first and after each chunk. A path is removed
    again if rendering fails, so no half-written PDF is left to be printed. Returns the number of pages.
    """
    total = sum(len(chunk) for chunk in chunks)
    workers = max(1, min(workers, len(chunks)))
    if progress:
        progress(0, total)
    if not isinstance(out, str | os.PathLike):
        return _write(chunks, out, render_chunk, title, workers, preload, initializer, progress, total)
    try:
        with open(out, "wb") as handle:
            return _write(chunks, handle, render_chunk, title, workers, preload, initializer, progress, total)
    except BaseException:
        Path(out).unlink(missing_ok=True)
        raise


def _write(chunks, handle, render_chunk, title, workers, preload, initializer, progress, total) -> int:
    joiner = PdfJoiner(handle, title=title)
    done = 0

    def append(pdf: bytes, count: int) -> None:
        nonlocal done
        joiner.append(io.BytesIO(pdf))
        done += count
        if progress:
            progress(done, total)

    if workers == 1:
        if initializer:
            initializer()
        for chunk in chunks:
            append(render_chunk(chunk), len(chunk))
        return joiner.close()
    # At most two chunks per worker in flight: every worker stays busy while finished chunks wait their turn
    # to be appended in order, and memory stays bounded.
    pool = process_pool(workers, list(preload), _import(preload), initializer=initializer)
    try:
        pending: dict[int, Future[bytes]] = {}
        submitted = 0
        for index in range(len(chunks)):
            while submitted < len(chunks) and submitted < index + 2 * workers:
                pending[submitted] = pool.submit(render_chunk, chunks[submitted])
                submitted += 1
            append(pending.pop(index).result(), len(chunks[index]))
    finally:
        # On an error (or the caller giving up) drop the chunks not yet started.
        pool.shutdown(wait=True, cancel_futures=True)
    return joiner.close()
