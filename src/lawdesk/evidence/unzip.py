"""Unpack a package's zip without trusting it: no traversal, links, duplicates or bombs."""

from __future__ import annotations

import re
import shutil
import stat
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from lawdesk.evidence.bag import Failure
from lawdesk.evidence.catalogue import gettext_noop


@dataclass(frozen=True)
class Limits:
    """Caps against zip bombs and hostile archives."""

    max_total_bytes: int = 64 << 30
    max_members: int = 100_000
    # Uncompressed : compressed, per member above 1 MiB and overall. Our writer's deflate level 1
    # cannot exceed ~230:1 even on identical rows (172:1 measured); deflate itself tops out near
    # 1032:1, so this catches the classic bombs, and the size caps bound the rest.
    max_ratio: int = 500
    ratio_floor: int = 1 << 20


def _safe_member(name: str) -> PurePosixPath:
    if "\\" in name or "\x00" in name or name.startswith("/") or re.match(r"^[A-Za-z]:", name):
        raise Failure(name, gettext_noop("unsafe path in the zip"))
    # Split by hand: PurePosixPath would quietly normalise "a//b" and "./a" before we look.
    parts = name.split("/")
    if any(part in ("", ".", "..") for part in parts):
        raise Failure(name, gettext_noop("unsafe path in the zip"))
    return PurePosixPath(*parts)


def safe_unzip(archive: Path, dest: Path, limits: Limits) -> None:
    """Extract into ``dest``, refusing traversal, links, duplicates, and oversized or bomb-like members."""
    try:
        zf = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError) as exc:
        raise Failure(archive.name, gettext_noop("not a readable zip (%(error)s)"), {"error": exc}) from exc
    with zf:
        infos = zf.infolist()
        if len(infos) > limits.max_members:
            raise Failure(archive.name, gettext_noop(
                "more than %(max_members)s entries"),
                {"max_members": limits.max_members})
        seen: set[str] = set()
        declared = 0
        for info in infos:
            _safe_member(info.filename.rstrip("/") if info.is_dir() else info.filename)
            mode = info.external_attr >> 16
            if stat.S_ISLNK(mode):
                raise Failure(info.filename, gettext_noop("symbolic link in the zip"))
            if info.flag_bits & 0x1:
                raise Failure(info.filename, gettext_noop("zip-encrypted entry"))
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                # bzip2 and LZMA reach ratios far beyond deflate's; packages never use them.
                raise Failure(info.filename, gettext_noop(
                    "unsupported compression method %(compress_type)s"),
                    {"compress_type": info.compress_type})
            key = info.filename.rstrip("/").casefold()  # case-insensitive file systems collide too
            if key in seen:
                raise Failure(info.filename, gettext_noop("duplicate entry in the zip"))
            seen.add(key)
            declared += info.file_size
        if declared > limits.max_total_bytes:
            raise Failure(archive.name, gettext_noop(
                "would unpack to %(declared)s bytes, over the %(max_total_bytes)s limit"),
                {"declared": f'{declared:,}', "max_total_bytes": f'{limits.max_total_bytes:,}'})
        free = shutil.disk_usage(dest).free
        if declared > free:
            raise Failure(archive.name, gettext_noop(
                "would unpack to %(declared)s bytes; only %(free)s free in %(dest)s"),
                {"declared": f'{declared:,}', "free": f'{free:,}', "dest": dest})
        compressed = max(sum(i.compress_size for i in infos), 1)
        if declared > limits.ratio_floor and declared / compressed > limits.max_ratio:
            raise Failure(archive.name, gettext_noop(
                "compression ratio %(ratio)s:1 looks like a zip bomb"),
                {"ratio": declared // compressed})
        written = 0
        for info in infos:
            target = dest.joinpath(*_safe_member(info.filename.rstrip("/")).parts)
            if (info.file_size > limits.ratio_floor
                    and info.file_size / max(info.compress_size, 1) > limits.max_ratio):
                raise Failure(info.filename, gettext_noop("compression ratio looks like a zip bomb"))
            got = 0
            try:
                if info.is_dir():
                    target.mkdir(parents=True, exist_ok=True)
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                with zf.open(info) as src, open(target, "xb") as out:
                    # Count what really comes out: the sizes in the directory are the attacker's.
                    while chunk := src.read(1 << 20):
                        got += len(chunk)
                        written += len(chunk)
                        if got > info.file_size or written > limits.max_total_bytes:
                            raise Failure(info.filename, gettext_noop(
                                "unpacks to more than its declared size"))
                        out.write(chunk)
            except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError, NotImplementedError,
                    RuntimeError) as exc:
                # A damaged archive fails in many ways inside zipfile and zlib; each is a named failure.
                raise Failure(info.filename, gettext_noop(
                    "corrupt zip entry (%(error)s)"),
                    {"error": exc}) from exc
