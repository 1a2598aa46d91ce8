"""Giving a page's memory back to the system as the page is written, without copying it.

A page of 10,000 contacts is ~25 MB of JSON, downloaded into one bytearray and parsed a slice at a time
(act/pages.py). Two things make its memory go back to the system as soon as it is no longer needed:

- `keep_big_blocks_mapped()`: glibc serves a block of more than its mmap threshold with its own mapping, unmapped
  when freed; but that threshold rises to the size of any such block freed (up to 32 MB), so after the first 25 MB
  page every later page came from the threads' heaps, which keep what is freed (a sync's RSS grew by ~50 MB of
  freed pages). Fixing the threshold (`mallopt(M_MMAP_THRESHOLD)`) keeps big blocks mapped.
- `PrefixRelease`: the JSON already parsed is handed back a memory page at a time with `madvise(MADV_DONTNEED)`
  (Linux): the bytearray keeps its size and address and nothing is copied. Elsewhere, the parsed prefix is deleted
  from the bytearray instead; CPython then gives memory back each time the bytearray halves, copying what is left
  each time (~20 ms of CPU for a 25 MB page, and a second buffer held while it copies).
"""

from __future__ import annotations

import ctypes
import mmap
import sys
from collections.abc import Callable

_M_MMAP_THRESHOLD = -3  # glibc's malloc.h
_MADV_DONTNEED = 4  # Linux's asm-generic/mman-common.h
PAGE_SIZE = mmap.PAGESIZE


def _libc_function(name: str, argtypes: list[type], restype: type) -> Callable[..., int] | None:
    try:
        function = getattr(ctypes.CDLL(None), name)
    except (OSError, AttributeError):
        return None
    function.argtypes, function.restype = argtypes, restype
    return function  # type: ignore[no-any-return]


_mallopt = _libc_function("mallopt", [ctypes.c_int, ctypes.c_int], ctypes.c_int)
_madvise = (
    _libc_function("madvise", [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int], ctypes.c_int)
    if sys.platform.startswith("linux")
    else None
)
_MALLOC_TUNED = False


def keep_big_blocks_mapped(threshold: int = 1 << 20) -> None:
    """Makes glibc's malloc give big freed blocks (page bodies, slices) back to the system at once; elsewhere (not
    glibc) it does nothing. Once per process."""
    global _MALLOC_TUNED
    if _MALLOC_TUNED or _mallopt is None:
        return
    _MALLOC_TUNED = True
    _mallopt(_M_MMAP_THRESHOLD, threshold)


class PrefixRelease:
    """Gives back the memory of a bytearray's first bytes once they are no longer read.

    `release(upto)` returns (bytes given back, bytes removed from the front): with madvise, the whole memory pages
    inside `body[:upto]` not given back yet, and nothing removed (indices into the body stay valid); without it,
    `body[:upto]` is deleted (indices move back by `upto`) and what CPython returned is counted."""

    def __init__(self, body: bytearray) -> None:
        self._body = body
        self._address: int | None = None
        if _madvise is not None and len(body) > PAGE_SIZE:
            self._address = ctypes.addressof(ctypes.c_char.from_buffer(body))  # the export ends with the object
            self._released = -(-self._address // PAGE_SIZE) * PAGE_SIZE  # the first whole page

    def release(self, upto: int) -> tuple[int, int]:
        if self._address is not None:
            end = (self._address + upto) // PAGE_SIZE * PAGE_SIZE  # whole pages only: the rest is still read
            if end <= self._released:
                return 0, 0
            assert _madvise is not None
            if _madvise(self._released, end - self._released, _MADV_DONTNEED) == 0:
                freed, self._released = end - self._released, end
                return freed, 0
            self._address = None  # refused (it should not be): give memory back the portable way from now on
        allocated = self._body.__alloc__()
        del self._body[:upto]
        return max(0, allocated - self._body.__alloc__()), upto
