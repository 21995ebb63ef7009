"""Fresh copies of one imported shop: τ²'s db.json imported once into an SQLite template, then a
file copy per task or episode, so every run starts from exactly the same data."""

from __future__ import annotations

import shutil
from pathlib import Path

from knowledge.orders.db import dispose_engine, session
from knowledge.orders.importer import import_retail, load_retail_json


class FreshShops:
    def __init__(self, db_json: Path, workdir: Path) -> None:
        self.workdir = workdir
        self.template = workdir / "template.db"
        self.count = 0
        url = f"sqlite:///{self.template}"
        with session(url) as db:
            import_retail(db, load_retail_json(db_json))
        dispose_engine(url)

    def fresh(self) -> str:
        self.count += 1
        target = self.workdir / f"run-{self.count}.db"
        shutil.copy(self.template, target)
        return f"sqlite:///{target}"

    def release(self, url: str) -> None:
        dispose_engine(url)
        Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)
