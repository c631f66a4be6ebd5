"""Operations the deployment scripts call (``portal/scripts/release.sh``, ``backup.sh``,
``restore.sh``), one subcommand each:

    python -m portal.ops ensure-bucket            # create the private bucket if it is missing
    python -m portal.ops database-dump DIR        # DIR/database.dump (pg_dump -Fc) + DIR/tables.json (row
                                                  #   counts), both from one snapshot of the database
    python -m portal.ops storage-export DIR       # every stored file -> DIR/files/..., DIR/files.json (sha256)
    python -m portal.ops storage-import DIR       # DIR/files/... -> the (empty) storage, checksums verified
    python -m portal.ops verify DIR               # the live database and storage against DIR's json files
    python -m portal.ops inventory OUT.json       # row counts of every table + sha256 of every stored file
    python -m portal.ops build-fonts              # the documents' font subsets, into PORTAL_DATA_DIR/fonts

Stored files go through the configured storage (S3-compatible bucket or the private folder), so
the same commands back up and restore either.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
from pathlib import Path


def _setup() -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    django.setup()


def _storage():
    from django.core.files.storage import default_storage

    return default_storage


def stored_names() -> list[str]:
    """Every file name in the storage, as the storage API names them."""
    storage = _storage()
    if hasattr(storage, "bucket"):  # S3: one paginated listing instead of a walk
        prefix = (storage.location.strip("/") + "/") if storage.location else ""
        return sorted(obj.key[len(prefix):] for obj in storage.bucket.objects.filter(Prefix=prefix))
    root = Path(storage.location)
    if not root.exists():
        return []
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def _sha256(handle) -> str:
    digest = hashlib.sha256()
    for chunk in iter(lambda: handle.read(1 << 20), b""):
        digest.update(chunk)
    return digest.hexdigest()


def checksums() -> dict[str, str]:
    storage = _storage()
    result = {}
    for name in stored_names():
        with storage.open(name, "rb") as handle:
            result[name] = _sha256(handle)
    return result


def row_counts() -> dict[str, int]:
    from django.db import connection

    with connection.cursor() as cursor:
        tables = sorted(connection.introspection.table_names(cursor, include_views=False))
        counts = {}
        for table in tables:
            cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(table)}")
            counts[table] = cursor.fetchone()[0]
    return counts


def build_fonts() -> int:
    """The GB 2312 subsets of Noto CJK the documents use (~15 s once): built into the image rather
    than at a worker's first render."""
    from portal.fonts import printable_codepoints
    from review.documents import engine  # a heavy import (WeasyPrint), only for this command

    printable_codepoints()  # the names' printability check reads this cache (issue 13 item 9)
    return len(engine.subset_fonts())


def ensure_bucket() -> str:
    storage = _storage()
    if not hasattr(storage, "bucket"):
        return "local storage: nothing to create"
    client = storage.connection.meta.client
    try:
        client.head_bucket(Bucket=storage.bucket_name)
        return f"bucket {storage.bucket_name} exists"
    except client.exceptions.ClientError:
        kwargs = {}
        region = client.meta.region_name
        if region and region != "us-east-1":
            kwargs["CreateBucketConfiguration"] = {"LocationConstraint": region}
        client.create_bucket(Bucket=storage.bucket_name, ACL="private", **kwargs)
        return f"bucket {storage.bucket_name} created"


def storage_export(target: Path) -> int:
    storage = _storage()
    files = target / "files"
    sums = {}
    for name in stored_names():
        path = files / name
        path.parent.mkdir(parents=True, exist_ok=True)
        with storage.open(name, "rb") as source, open(path, "wb") as out:
            shutil.copyfileobj(source, out, 1 << 20)
        with open(path, "rb") as written:
            sums[name] = _sha256(written)
    (target / "files.json").write_text(json.dumps(sums, indent=1, sort_keys=True))
    return len(sums)


def storage_import(source: Path) -> int:
    storage = _storage()
    expected = json.loads((source / "files.json").read_text())
    existing = set(stored_names())
    if existing:
        raise SystemExit(f"the target storage is not empty ({len(existing)} files): restore into an empty one")
    for name, digest in sorted(expected.items()):
        path = source / "files" / name
        with open(path, "rb") as handle:
            if _sha256(handle) != digest:
                raise SystemExit(f"{name}: the backup copy does not match its checksum")
            handle.seek(0)
            saved = storage.save(name, handle)
        if saved != name:
            raise SystemExit(f"{name} was stored as {saved}")
    return len(expected)


def database_dump(target: Path) -> int:
    """pg_dump and the row counts from the same snapshot: the counts describe exactly what the dump
    holds, even while the portal keeps writing."""
    import subprocess

    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        try:
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            counts = row_counts()
            subprocess.run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--snapshot={snapshot}",
                            f"--file={target / 'database.dump'}", f"--dbname={os.environ['DATABASE_URL']}"],
                           check=True)
        finally:
            cursor.execute("ROLLBACK")
    (target / "tables.json").write_text(json.dumps(counts, indent=1, sort_keys=True))
    return len(counts)


def verify(source: Path) -> list[str]:
    expected = {"tables": json.loads((source / "tables.json").read_text()),
                "files": json.loads((source / "files.json").read_text())}
    return compare(expected, {"tables": row_counts(), "files": checksums()})


def compare(a: dict, b: dict) -> list[str]:
    problems = []
    for section in ("tables", "files"):
        left, right = a.get(section, {}), b.get(section, {})
        for key in sorted(set(left) | set(right)):
            if left.get(key) != right.get(key):
                problems.append(f"{section} {key}: {left.get(key)} != {right.get(key)}")
    return problems


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    command, args = argv[0], argv[1:]
    _setup()
    if command == "verify":
        problems = verify(Path(args[0]))
        for line in problems:
            print(line, file=sys.stderr)
        print("restored: row counts and checksums equal the backup's" if not problems
              else f"restored with {len(problems)} differences")
        return 1 if problems else 0
    if command == "database-dump":
        print(f"database dumped, {database_dump(Path(args[0]))} tables counted")
    elif command == "ensure-bucket":
        print(ensure_bucket())
    elif command == "storage-export":
        print(f"{storage_export(Path(args[0]))} files exported")
    elif command == "storage-import":
        print(f"{storage_import(Path(args[0]))} files imported")
    elif command == "build-fonts":
        print(f"{build_fonts()} font subsets ready")
    elif command == "inventory":
        Path(args[0]).write_text(json.dumps({"tables": row_counts(), "files": checksums()}, indent=1,
                                            sort_keys=True))
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
