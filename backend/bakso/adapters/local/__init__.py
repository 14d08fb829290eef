"""The one-machine adapter set: SQLite files for records and the queue, a folder for blobs."""

from .blobs import FolderBlobs
from .queue import SqliteQueue
from .records import SqliteRecords
from .sasaran import SqliteSasaranStore

__all__ = ["FolderBlobs", "SqliteQueue", "SqliteRecords", "SqliteSasaranStore"]
